"""Texts of the demo selection (``app/demo/selection.py``), invented for the demo.

- ``DECIDED_CALL`` and ``DECIDED_PROJECTS``: the first 2026 call, under the 2014 rules still in force, reviewed
  by the committee elected in June 2026, decided and published in September 2026. The demo delegate's member
  (UTSS) leads one proposal.
- ``REVIEW_CALL`` and ``REVIEW_PROJECTS``: the youth call under the co-built 2026 rules, closed in November and
  now in review.
- ``QUALITY``: each project's merit per criterion (0–5), from which the reviewers' scores are drawn;
  ``REMARKS``: a reviewer's sentence on a project for one criterion; ``BANDS``: sentences per criterion and
  level of score (low 0–2, mid 3, high 4–5). A justification is a band sentence followed by the remark.

Budgets: ``budget`` and ``requested`` in euros (requested None: the most the rules allow); co-financing is the
rest of the budget, split between the lead's own funds and a named co-funder.
"""
from __future__ import annotations

from typing import Any

# The call decided and published -------------------------------------------------------------------------

DECIDED_CALL: dict[str, str] = {
    "title_fr": "Appel à projets 2026 (première session) : solidarités de proximité entre les deux rives",
    "title_en": "2026 call for projects (first round): local solidarity between the two shores",
    "title_ar": "طلب المشاريع 2026 (الدورة الأولى): التضامن المحلي بين الضفتين",
    "text_fr": "Le programme soutient des actions de solidarité de proximité portées par ses membres avec un "
               "partenaire de l'autre rive : éducation, insertion des jeunes, économie sociale et solidaire. Les "
               "règles sont celles du Règlement 2014, en vigueur jusqu'à l'adoption du règlement co-construit "
               "en septembre 2026. Les propositions sont notées par le comité de pilotage élu en juin 2026.",
    "text_en": "The programme supports local solidarity actions led by its members with a partner from the other "
               "shore: education, youth employment, social and solidarity economy. The rules are the 2014 rules, "
               "in force until the co-built rules were adopted in September 2026. The proposals are scored by the "
               "steering committee elected in June 2026.",
    "text_ar": "يدعم البرنامج أعمال التضامن المحلي التي يحملها أعضاؤه مع شريك من الضفة الأخرى: التربية وإدماج "
               "الشباب والاقتصاد الاجتماعي والتضامني. وتخضع لنظام 2014 الساري إلى حين اعتماد النظام المبني "
               "تشاركيًا في سبتمبر 2026. وتُقيَّم المقترحات من قبل لجنة القيادة المنتخبة في جوان 2026.",
}
DECIDED_ENVELOPE = "300000"
DECIDED_CHALLENGES = ["EDU-1", "EDU-3", "INS-1", "INS-2", "INS-3"]
DECIDED_MINUTES = ("Comité de pilotage du 10 septembre 2026 (réunion en ligne, quorum atteint). Le comité retient "
                   "le classement par moyenne brute, sans note minimale, et suit la ligne de financement, à une "
                   "exception près motivée ci-dessous. Les organisations en conflit d'intérêts ont quitté la "
                   "séance pendant l'examen des propositions concernées.")
#: The one proposal the committee decides away from the line (funded by it, placed in reserve), and why.
DEPARTURE_KEY = "cpk-peche"
DEPARTURE_REASON = ("Le comité place le projet en tête de la liste d'attente : l'autorisation d'occupation du local "
                    "portuaire, condition de l'atelier de transformation, n'était pas reçue à la date du comité. Il "
                    "sera financé sur le reliquat de l'enveloppe dès réception de cette autorisation.")
#: (project, rule, reason): the rule the secretariat found failing when instructing the proposal.
INELIGIBLE_DECIDED = ("aeps-lecture", "cofinancing_share",
                      "Le cofinancement du Conseil départemental annoncé comme acquis est une lettre d'intention, "
                      "non une décision de financement : la part de cofinancement confirmée n'atteint pas 30 % du "
                      "budget.")

# Partners: ("member", acronym, kind, role) or ("outside", name, country, kind, role).
DECIDED_PROJECTS: list[dict[str, Any]] = [
    {
        "key": "utss-jardins", "lead": "UTSS",
        "title": "Jardins d'enfants solidaires dans les quartiers populaires de Tunis",
        "summary": "Ouvrir deux jardins d'enfants associatifs à Ettadhamen et Sidi Hassine, gérés avec les parents, "
                   "et former leurs animatrices avec les centres de loisirs de Solidarité Laïque.",
        "territories": "Ettadhamen et Sidi Hassine, Grand Tunis (Tunisie) ; Paris (France)",
        "challenges": ["EDU-3"],
        "partners": [("member", "SL", "association", "Formation des animatrices, échanges de pratiques")],
        "direct": 160, "indirect": 900, "women": 70, "youth": 85, "months": 24, "budget": "82000", "requested": None,
        "partner_indicator": ("Animatrices formées avec {partner}", "animatrices", "12"),
        "results": "- Deux jardins d'enfants ouverts, 80 enfants accueillis chaque année.\n"
                   "- Douze animatrices formées et rémunérées.\n- Un comité de parents dans chaque jardin.",
        "activities": "- Aménagement des locaux prêtés par la municipalité.\n- Formation des animatrices.\n"
                      "- Ateliers parents-enfants.\n- Échanges avec des centres de loisirs parisiens.",
        "cofunder": "Fondation de France (programme Enfance)",
    },
    {
        "key": "ocplb-budget", "lead": "OCPLB",
        "title": "Budget participatif et conseil municipal des jeunes à Béja",
        "summary": "Accompagner la municipalité de Béja dans un premier budget participatif et la création d'un "
                   "conseil municipal des jeunes, avec l'expérience des réseaux de Franche-Comté.",
        "territories": "Béja (Tunisie) ; Besançon (France)", "challenges": ["EDU-1", "INS-1"],
        "partners": [("member", "CERCOOP", "association", "Échanges avec les collectivités de Franche-Comté")],
        "direct": 120, "indirect": 60000, "women": 50, "youth": 60, "months": 30, "budget": "74500", "requested": None,
        "results": "- Un budget participatif voté et exécuté.\n- Un conseil municipal des jeunes élu.",
        "activities": "- Assemblées de quartier.\n- Formation des élus et des agents.\n- Élection du conseil des jeunes.",
        "cofunder": "Municipalité de Béja",
    },
    {
        "key": "pss-chantiers", "lead": "PSS",
        "title": "Jeunes des deux rives : chantiers solidaires en Savoie et à Jendouba",
        "summary": "Des chantiers de jeunes croisés, l'été en Savoie et au printemps à Jendouba, sur la rénovation "
                   "de lieux associatifs, avec un parcours d'engagement à leur retour.",
        "territories": "Savoie et Haute-Savoie (France) ; Jendouba (Tunisie)", "challenges": ["EDU-1"],
        "partners": [("member", "FTAJ", "union", "Accueil des chantiers à Jendouba")],
        "direct": 64, "indirect": 1500, "women": 50, "youth": 100, "months": 24, "budget": "68000", "requested": None,
        "results": "- Quatre chantiers, 64 jeunes.\n- Deux lieux associatifs rénovés.",
        "activities": "- Préparation interculturelle.\n- Chantiers.\n- Restitution publique dans chaque territoire.",
        "cofunder": "Département de la Savoie",
    },
    {
        "key": "cpk-peche", "lead": "CPK",
        "title": "Pêche durable et transformation des produits de la mer à Kerkennah",
        "summary": "Équiper un atelier collectif de transformation, former les jeunes pêcheurs aux techniques "
                   "sélectives et vendre en circuit court avec une coopérative française.",
        "territories": "Archipel de Kerkennah, Sfax (Tunisie) ; Sète (France)", "challenges": ["INS-1", "INS-3"],
        "partners": [("member", "CAERS", "cooperative", "Coopérative d'activités, accompagnement commercial")],
        "direct": 90, "indirect": 2400, "women": 35, "youth": 60, "months": 36, "budget": "104000",
        "requested": None,
        "results": "- Un atelier de transformation en service.\n- 40 jeunes pêcheurs formés.",
        "activities": "- Travaux et équipement.\n- Formation.\n- Mise en place de la vente en circuit court.",
        "cofunder": "Agence de promotion des investissements agricoles",
    },
    {
        "key": "f3e-evaluer", "lead": "F3E",
        "title": "Évaluer ensemble : le suivi-évaluation au service des associations du Sud tunisien",
        "summary": "Un cycle de formation-action au suivi-évaluation orienté changement pour douze associations de "
                   "Gabès et de Médenine, avec un guide commun publié en arabe et en français.",
        "territories": "Gabès et Médenine (Tunisie) ; Paris (France)", "challenges": ["INS-1"],
        "partners": [("member", "CRAG", "other", "Centre de ressources, accueil des formations")],
        "direct": 36, "indirect": 4000, "women": 55, "youth": 30, "months": 18, "budget": "58000", "requested": None,
        "results": "- Douze associations dotées d'un dispositif de suivi.\n- Un guide bilingue.",
        "activities": "- Six sessions de formation.\n- Accompagnement individuel.\n- Rédaction du guide.",
        "cofunder": "Agence française de développement (fonds d'innovation)",
    },
    {
        "key": "bir-eau", "lead": "MUN-BIRESSALAM",
        "title": "Eau potable et gestion participative à Bir Essalam",
        "summary": "Réhabiliter le réseau d'eau de trois quartiers et créer un comité d'usagers chargé, avec la "
                   "municipalité, de la tarification sociale et de l'entretien.",
        "territories": "Bir Essalam (Tunisie) ; Auvergne-Rhône-Alpes (France)", "challenges": ["INS-2"],
        "partners": [("member", "RAURA", "local_authority", "Coopération décentralisée, appui technique")],
        "direct": 3200, "indirect": 9000, "women": 50, "youth": 40, "months": 30, "budget": "112000",
        "requested": None,
        "results": "- Trois quartiers raccordés.\n- Un comité d'usagers élu.",
        "activities": "- Travaux.\n- Assemblées de quartier.\n- Formation des agents municipaux.",
        "cofunder": "Agence de l'eau Rhône Méditerranée Corse",
    },
    {
        "key": "sci-volontariat", "lead": "SCI",
        "title": "Volontariat de réciprocité entre jeunes de Lyon et de Sfax",
        "summary": "Vingt volontaires tunisiens accueillis en France et vingt volontaires français à Sfax, dans des "
                   "associations d'éducation populaire, pour des missions de six mois.",
        "territories": "Lyon (France) ; Sfax (Tunisie)", "challenges": ["EDU-1", "INS-3"],
        "partners": [("member", "FHSS", "other", "Accueil des volontaires à Sfax")],
        "direct": 40, "indirect": 1200, "women": 55, "youth": 100, "months": 24, "budget": "79000",
        "requested": None,
        "results": "- 40 missions de volontariat réalisées.\n- Un réseau d'anciens volontaires.",
        "activities": "- Recrutement et préparation.\n- Missions.\n- Bilan et valorisation des compétences.",
        "cofunder": "Agence du service civique",
    },
    {
        "key": "aeps-lecture", "lead": "AEPS",
        "title": "Clubs de lecture et éducation populaire dans le Sud tunisien",
        "summary": "Animer quinze clubs de lecture dans les maisons de jeunes de Tataouine et de Médenine, avec des "
                   "bibliothécaires formés en France.",
        "territories": "Tataouine et Médenine (Tunisie) ; Lyon (France)", "challenges": ["EDU-1"],
        "partners": [("member", "FEPSF", "other", "Formation des animateurs, dons de livres")],
        "direct": 450, "indirect": 3000, "women": 60, "youth": 90, "months": 24, "budget": "61000",
        "requested": None,
        "results": "- Quinze clubs actifs.\n- 450 jeunes lecteurs réguliers.",
        "activities": "- Formation des animateurs.\n- Fonds de livres.\n- Rencontres d'auteurs.",
        "cofunder": "Conseil départemental du Rhône (lettre d'intention)",
    },
]

# The call in review ------------------------------------------------------------------------------------

REVIEW_CALL: dict[str, str] = {
    "title_fr": "Appel à projets « Jeunesse et insertion » 2026",
    "title_en": "2026 “Youth and employment” call for projects",
    "title_ar": "طلب المشاريع «الشباب والإدماج» 2026",
    "text_fr": "Un appel thématique pour l'éducation et l'insertion des jeunes de 16 à 30 ans, porté par un membre "
               "avec au moins un partenaire de l'autre rive, sous le règlement co-construit adopté par "
               "l'Assemblée plénière du 26 septembre 2026.",
    "text_en": "A thematic call for the education and employment of young people aged 16 to 30, led by a member "
               "with at least one partner from the other shore, under the co-built rules adopted by the plenary "
               "assembly of 26 September 2026.",
    "text_ar": "طلب موضوعي لتربية الشباب من 16 إلى 30 سنة وإدماجهم، يحمله عضو مع شريك واحد على الأقل من الضفة "
               "الأخرى، وفق النظام المبني تشاركيًا الذي اعتمدته الجلسة العامة المنعقدة في 26 سبتمبر 2026.",
}
REVIEW_ENVELOPE = "320000"
REVIEW_CHALLENGES = ["EDU-1", "EDU-2", "EDU-3", "INS-2", "INS-3"]
INELIGIBLE_REVIEW = ("ftaj-saisonniers", "cofinancing_share",
                     "Le cofinancement de la Confédération générale du travail est une promesse orale : sans "
                     "décision écrite, la part confirmée n'atteint pas les 20 % exigés par le règlement.")
RECORDED_CONFLICT = ("FDMFR72", "fdmfr53-alternance",
                     "Les fédérations de la Sarthe et de la Mayenne relèvent du même réseau régional des Maisons "
                     "familiales rurales des Pays de la Loire et partagent leur direction pédagogique.")
DECLARED_CONFLICT = ("man-maisons", "J'ai animé en 2025, à titre rémunéré, la formation des animateurs de la Maison "
                                    "des Associations de Nabeul : je ne peux pas évaluer ce projet en toute "
                                    "indépendance.")
#: The discussion on the flagged proposal: (who, text); who is "reviewer:N" (its N-th reviewer) or "secretariat".
DISCUSSION = [
    ("reviewer:0", "Je maintiens une note élevée : le partenariat avec la Maison des Diasporas est ancien et le "
                   "collectif a déjà formé deux promotions avec le même centre."),
    ("reviewer:1", "Je ne conteste pas le partenariat, mais le budget ne prévoit aucun accompagnement vers l'emploi "
                   "après la formation : 40 % de placement me paraît très optimiste."),
    ("secretariat", "Le porteur a transmis au secrétariat une convention de stage signée avec deux entreprises de la "
                    "technopole de Sfax. Je la joins au dossier pour la réunion du comité ; la proposition sera examinée en "
                    "premier point."),
    ("reviewer:2", "Merci pour la convention : elle répond à mon inquiétude, je reverrai ma note de faisabilité avant "
                   "la réunion."),
]

REVIEW_PROJECTS: list[dict[str, Any]] = [
    {
        "key": "ajasb-agroecologie", "lead": "AJASB",  # the demo delegate's draft review
        "title": "Jeunes agriculteurs en agroécologie à Sidi Bouzid",
        "summary": "Installer trente jeunes agriculteurs sur des terres collectives en agroécologie, avec une "
                   "formation en alternance inspirée des Maisons familiales rurales.",
        "territories": "Sidi Bouzid (Tunisie) ; Paris (France)", "challenges": ["INS-2", "INS-3"],
        "partners": [("member", "UNMFR", "association", "Ingénierie de la formation en alternance")],
        "direct": 30, "indirect": 400, "women": 40, "youth": 100, "months": 30, "budget": "88000", "requested": None,
        "results": "- Trente jeunes installés.\n- Une parcelle de démonstration.",
        "activities": "- Formation en alternance.\n- Accès au foncier.\n- Mise en marché collective.",
        "cofunder": "Commissariat régional au développement agricole",
    },
    {
        "key": "caers-cooperatives", "lead": "CAERS",  # the demo delegate's review not started
        "title": "Coopératives d'activités pour jeunes entrepreneurs, de Marseille à Sfax",
        "summary": "Adapter à Sfax le modèle de la coopérative d'activités et d'emploi : les jeunes testent leur "
                   "activité sous un statut salarié, avec un accompagnement collectif.",
        "territories": "Marseille (France) ; Sfax (Tunisie)", "challenges": ["INS-2"],
        "partners": [("member", "COSS", "cooperative", "Portage de la coopérative à Sfax")],
        "direct": 45, "indirect": 300, "women": 50, "youth": 100, "months": 24, "budget": "72000", "requested": None,
        "results": "- Une coopérative d'activités créée à Sfax.\n- 45 jeunes en test d'activité.",
        "activities": "- Étude juridique.\n- Accompagnement collectif.\n- Échanges entre entrepreneurs.",
        "cofunder": "Région Sud",
    },
    {
        "key": "ljlge-citoyennete", "lead": "LJLGE",  # the demo delegate's member is a partner: conflicted
        "title": "Éducation à la citoyenneté : échanges de jeunes entre Strasbourg et Kasserine",
        "summary": "Des échanges de jeunes et des ateliers de débat citoyen entre Strasbourg et Kasserine, "
                   "préparés avec les associations de solidarité sociale tunisiennes.",
        "territories": "Strasbourg (France) ; Kasserine et Tunis (Tunisie)", "challenges": ["EDU-1"],
        "partners": [("member", "UTSS", "association", "Préparation des jeunes, accueil à Tunis"),
                     ("member", "AJCK", "association", "Accueil à Kasserine")],
        "direct": 60, "indirect": 2000, "women": 50, "youth": 100, "months": 24, "budget": "64000", "requested": None,
        "results": "- Deux échanges de jeunes.\n- Un kit d'ateliers de débat.",
        "activities": "- Ateliers de débat.\n- Échanges.\n- Restitution dans les lycées.",
        "cofunder": "Office franco-allemand pour la jeunesse",
    },
    {
        "key": "cejsb-numerique", "lead": "CEJSB",  # flagged for discussion: scores far apart
        "title": "Métiers du numérique pour les jeunes femmes de Sidi Bouzid",
        "summary": "Former soixante jeunes femmes au développement web et à la maintenance informatique, avec des "
                   "stages dans les entreprises de la technopole de Sfax.",
        "territories": "Sidi Bouzid et Sfax (Tunisie) ; Paris (France)", "challenges": ["INS-3", "EDU-3"],
        "partners": [("member", "MDFT", "other", "Mentorat par des professionnelles de la diaspora")],
        "direct": 60, "indirect": 500, "women": 100, "youth": 100, "months": 24, "budget": "96000",
        "requested": None,
        "results": "- 60 jeunes femmes formées.\n- 40 % en emploi un an après.",
        "activities": "- Formation certifiante.\n- Mentorat.\n- Stages en entreprise.",
        "cofunder": "Gouvernorat de Sidi Bouzid",
    },
    {
        "key": "fdmfr53-alternance", "lead": "FDMFR53",  # a conflict recorded by the secretariat
        "title": "Apprentissage en alternance : jeunes ruraux de la Mayenne et de Siliana",
        "summary": "Ouvrir à Siliana une classe en alternance sur le modèle des Maisons familiales rurales, avec des "
                   "échanges de moniteurs et d'apprentis entre les deux territoires.",
        "territories": "Mayenne (France) ; Siliana (Tunisie)", "challenges": ["EDU-2", "INS-3"],
        "partners": [("member", "AEOS", "association", "Accueil de la classe à Siliana")],
        "direct": 48, "indirect": 600, "women": 45, "youth": 100, "months": 36, "budget": "118000",
        "requested": None,
        "results": "- Une classe de 24 apprentis par an.\n- Huit moniteurs formés.",
        "activities": "- Formation des moniteurs.\n- Échanges d'apprentis.\n- Partenariats avec les exploitations.",
        "cofunder": "Conseil départemental de la Mayenne",
    },
    {
        "key": "stest-emploi", "lead": "STEST",
        "title": "Emploi décent des jeunes dans l'économie solidaire à Tunis",
        "summary": "Un observatoire syndical des conditions de travail des jeunes dans les entreprises de l'économie "
                   "sociale et solidaire, et un guide des droits diffusé avec les réseaux français.",
        "territories": "Grand Tunis (Tunisie) ; Lille (France)", "challenges": ["INS-2"],
        "partners": [("member", "APES", "association", "Échanges entre réseaux de l'économie solidaire")],
        "direct": 300, "indirect": 5000, "women": 45, "youth": 80, "months": 24, "budget": "54000", "requested": None,
        "results": "- Une enquête auprès de 300 jeunes salariés.\n- Un guide des droits.",
        "activities": "- Enquête.\n- Formation de délégués.\n- Diffusion du guide.",
        "cofunder": "Fondation Friedrich-Ebert",
    },
    {
        "key": "man-maisons", "lead": "MAN",  # a conflict declared by a reviewer
        "title": "Maisons de jeunes associatives à Nabeul",
        "summary": "Confier l'animation de trois maisons de jeunes à des collectifs d'associations, avec un "
                   "programme d'éducation non formelle co-construit avec les jeunes.",
        "territories": "Nabeul et Hammamet (Tunisie) ; Lyon (France)", "challenges": ["EDU-2"],
        "partners": [("member", "FEPSF", "other", "Formation des animateurs")],
        "direct": 900, "indirect": 6000, "women": 50, "youth": 100, "months": 30, "budget": "76000", "requested": None,
        "results": "- Trois maisons de jeunes cogérées.\n- 900 jeunes inscrits.",
        "activities": "- Conventions avec la municipalité.\n- Formation.\n- Programme d'activités.",
        "cofunder": "Municipalité de Nabeul",
    },
    {
        "key": "ftaj-saisonniers", "lead": "FTAJ",  # ineligible after instruction
        "title": "Insertion des jeunes saisonniers agricoles de Jendouba",
        "summary": "Accompagner les jeunes saisonniers agricoles vers des contrats déclarés et une formation "
                   "qualifiante, avec l'appui syndical de la CGT.",
        "territories": "Jendouba (Tunisie) ; Île-de-France (France)", "challenges": ["INS-2"],
        "partners": [("member", "CGT", "union", "Formation syndicale, plaidoyer")],
        "direct": 200, "indirect": 3000, "women": 40, "youth": 90, "months": 24, "budget": "58000", "requested": None,
        "results": "- 200 jeunes informés de leurs droits.\n- 60 contrats déclarés.",
        "activities": "- Permanences juridiques.\n- Formation.\n- Dialogue avec les employeurs.",
        "cofunder": "Confédération générale du travail (promesse orale)",
    },
    {
        "key": "lsi-mentorat", "lead": "LSI",
        "title": "Mentorat croisé de jeunes diplômés entre Lille et Sfax",
        "summary": "Cent binômes de jeunes diplômés et de professionnels des deux villes, en ligne et lors de deux "
                   "rencontres, pour ouvrir des réseaux professionnels à ceux qui n'en ont pas.",
        "territories": "Lille (France) ; Sfax (Tunisie)", "challenges": ["INS-3"],
        "partners": [("member", "FHSS", "other", "Recrutement des mentors à Sfax")],
        "direct": 200, "indirect": 1000, "women": 55, "youth": 50, "months": 18, "budget": "42000", "requested": None,
        "results": "- Cent binômes de mentorat.\n- 60 % des jeunes en emploi après un an.",
        "activities": "- Recrutement.\n- Mentorat.\n- Deux rencontres.",
        "cofunder": "Métropole européenne de Lille",
    },
    {
        "key": "raqba-soutien", "lead": "RAQBA",
        "title": "Soutien scolaire et éducation populaire à Ben Arous",
        "summary": "Des ateliers de soutien scolaire et des activités culturelles dans six quartiers de Ben Arous, "
                   "avec des échanges de pratiques avec des enseignants de Seine-Saint-Denis.",
        "territories": "Ben Arous (Tunisie) ; Seine-Saint-Denis (France)", "challenges": ["EDU-3", "EDU-2"],
        "partners": [("member", "SESI93", "union", "Échanges avec des enseignants de Seine-Saint-Denis")],
        "direct": 350, "indirect": 1400, "women": 50, "youth": 100, "months": 24, "budget": "49000", "requested": None,
        "results": "- 350 élèves accompagnés.\n- Le taux de redoublement en baisse dans les six quartiers.",
        "activities": "- Ateliers hebdomadaires.\n- Formation des animateurs.\n- Fêtes de quartier.",
        "cofunder": "Commissariat régional à l'éducation de Ben Arous",
    },
]

#: Each project's merit per criterion (0–5), the centre of its reviewers' scores.
QUALITY: dict[str, dict[str, int]] = {
    "utss-jardins": {"pertinence": 5, "changement": 4},
    "ocplb-budget": {"pertinence": 4, "changement": 4},
    "pss-chantiers": {"pertinence": 3, "changement": 3},
    "cpk-peche": {"pertinence": 5, "changement": 3},
    "f3e-evaluer": {"pertinence": 4, "changement": 5},
    "bir-eau": {"pertinence": 3, "changement": 2},
    "sci-volontariat": {"pertinence": 3, "changement": 4},
    "aeps-lecture": {"pertinence": 3, "changement": 3},
    "ajasb-agroecologie": {"pertinence": 4, "partenariat": 4, "faisabilite": 3, "durabilite": 4, "egalite": 2},
    "caers-cooperatives": {"pertinence": 4, "partenariat": 3, "faisabilite": 4, "durabilite": 3, "egalite": 3},
    "ljlge-citoyennete": {"pertinence": 4, "partenariat": 5, "faisabilite": 4, "durabilite": 2, "egalite": 3},
    "cejsb-numerique": {"pertinence": 4, "partenariat": 3, "faisabilite": 3, "durabilite": 3, "egalite": 5},
    "fdmfr53-alternance": {"pertinence": 4, "partenariat": 4, "faisabilite": 4, "durabilite": 4, "egalite": 2},
    "stest-emploi": {"pertinence": 3, "partenariat": 3, "faisabilite": 4, "durabilite": 2, "egalite": 3},
    "man-maisons": {"pertinence": 4, "partenariat": 3, "faisabilite": 3, "durabilite": 4, "egalite": 3},
    "ftaj-saisonniers": {"pertinence": 3, "partenariat": 3, "faisabilite": 2, "durabilite": 2, "egalite": 2},
    "lsi-mentorat": {"pertinence": 3, "partenariat": 4, "faisabilite": 5, "durabilite": 2, "egalite": 4},
    "raqba-soutien": {"pertinence": 5, "partenariat": 3, "faisabilite": 4, "durabilite": 3, "egalite": 4},
}
#: The flagged proposal's three reviews, far apart (its first reviewer high, its second low).
FLAGGED_KEY = "cejsb-numerique"
FLAGGED_SCORES = [
    {"pertinence": 5, "partenariat": 5, "faisabilite": 4, "durabilite": 4, "egalite": 5},
    {"pertinence": 3, "partenariat": 2, "faisabilite": 1, "durabilite": None, "egalite": 3},
    {"pertinence": 4, "partenariat": 3, "faisabilite": 2, "durabilite": 3, "egalite": 5},
]

#: A reviewer's remark on a project, per criterion (appended to the band sentence).
REMARKS: dict[str, dict[str, str]] = {
    "utss-jardins": {"pertinence": "L'accueil de la petite enfance manque dans ces deux quartiers.",
                     "changement": "Le comité de parents fait des familles des actrices du projet."},
    "ocplb-budget": {"pertinence": "La participation des habitants aux choix municipaux est encore rare à Béja.",
                     "changement": "Le conseil des jeunes donne une voix durable à ceux qu'on n'entend pas."},
    "pss-chantiers": {"pertinence": "Les chantiers touchent des jeunes peu mobiles des deux territoires.",
                      "changement": "Le parcours d'engagement au retour reste à préciser."},
    "cpk-peche": {"pertinence": "La raréfaction de la ressource rend la pêche sélective urgente.",
                  "changement": "Le lien avec les autorités portuaires n'est pas décrit."},
    "f3e-evaluer": {"pertinence": "Les associations du Sud manquent d'outils de suivi.",
                    "changement": "Le guide bilingue servira bien au-delà des douze associations."},
    "bir-eau": {"pertinence": "L'accès à l'eau est un besoin vital mais le lien aux défis est indirect.",
                "changement": "Le comité d'usagers n'a pas encore de statut défini."},
    "sci-volontariat": {"pertinence": "La réciprocité des missions est rare et précieuse.",
                        "changement": "Les anciens volontaires formeront un réseau durable."},
    "aeps-lecture": {"pertinence": "Les maisons de jeunes du Sud sont peu dotées en livres.",
                     "changement": "Les animateurs formés resteront, mais le fonds de livres est fragile."},
    "ajasb-agroecologie": {
        "pertinence": "L'installation des jeunes sur des terres collectives répond au défi de l'emploi rural.",
        "partenariat": "L'Union nationale des MFR apporte une ingénierie éprouvée.",
        "faisabilite": "L'accès au foncier collectif dépend d'un accord qui n'est pas joint.",
        "durabilite": "La mise en marché collective peut survivre au projet.",
        "egalite": "Seulement 40 % de jeunes femmes, sans mesure pour les attirer."},
    "caers-cooperatives": {
        "pertinence": "Le statut d'entrepreneur-salarié protège les jeunes qui se lancent.",
        "partenariat": "La coopérative de Sfax devra porter seule le modèle après deux ans.",
        "faisabilite": "L'étude juridique préalable est prévue et chiffrée.",
        "durabilite": "Le modèle économique de la future coopérative reste à démontrer.",
        "egalite": "La parité est visée, sans actions spécifiques décrites."},
    "ljlge-citoyennete": {
        "pertinence": "Le débat citoyen entre jeunes des deux rives répond au défi de l'éducation.",
        "partenariat": "Trois partenaires impliqués à chaque étape, y compris la préparation.",
        "faisabilite": "Le calendrier des échanges tient compte des examens scolaires.",
        "durabilite": "Le kit d'ateliers pourra être repris, mais sans financement prévu.",
        "egalite": "Les groupes de jeunes sont mixtes et les animateurs formés à l'égalité."},
    "cejsb-numerique": {
        "pertinence": "Le chômage des jeunes diplômées de Sidi Bouzid est très élevé.",
        "partenariat": "Le mentorat par la diaspora est original et déjà expérimenté.",
        "faisabilite": "Rien n'est prévu pour l'accompagnement vers l'emploi après la formation.",
        "durabilite": "La certification obtenue restera acquise aux jeunes femmes formées.",
        "egalite": "Le projet s'adresse entièrement à des jeunes femmes."},
    "fdmfr53-alternance": {
        "pertinence": "L'alternance rurale manque en Tunisie et le besoin est documenté.",
        "partenariat": "Les échanges de moniteurs et d'apprentis sont réciproques.",
        "faisabilite": "Les exploitations d'accueil sont déjà identifiées à Siliana.",
        "durabilite": "La classe pourra être reprise par le ministère de la formation.",
        "egalite": "Les filles sont minoritaires dans les filières agricoles visées."},
    "stest-emploi": {
        "pertinence": "Les conditions de travail des jeunes de l'ESS sont mal connues.",
        "partenariat": "Le rôle du réseau français se limite à des échanges ponctuels.",
        "faisabilite": "L'enquête est bien dimensionnée pour un budget modeste.",
        "durabilite": "L'observatoire n'a pas de financement au-delà du projet.",
        "egalite": "Les questions d'égalité salariale figurent dans l'enquête."},
    "man-maisons": {
        "pertinence": "L'éducation non formelle est au cœur du défi EDU-2.",
        "partenariat": "La fondation partenaire intervient surtout en formation.",
        "faisabilite": "Les conventions avec la municipalité ne sont pas encore signées.",
        "durabilite": "La cogestion des maisons de jeunes peut durer après le projet.",
        "egalite": "Des horaires réservés aux jeunes filles sont prévus dans chaque maison."},
    "ftaj-saisonniers": {
        "pertinence": "Les saisonniers agricoles sont parmi les jeunes les plus précaires.",
        "partenariat": "L'appui syndical français est réel mais peu détaillé.",
        "faisabilite": "Le cofinancement annoncé n'est pas confirmé par écrit.",
        "durabilite": "Les permanences juridiques s'arrêteront avec le financement.",
        "egalite": "Les ouvrières agricoles, très exposées, sont peu citées."},
    "lsi-mentorat": {
        "pertinence": "Le mentorat répond au manque de réseau des jeunes diplômés.",
        "partenariat": "Les deux associations recrutent chacune la moitié des mentors.",
        "faisabilite": "Un projet simple, bien chiffré, sur dix-huit mois.",
        "durabilite": "Le dispositif repose sur le bénévolat des mentors.",
        "egalite": "La moitié des mentors sont des femmes cadres."},
    "raqba-soutien": {
        "pertinence": "Le décrochage scolaire est massif dans ces quartiers.",
        "partenariat": "Les échanges avec les enseignants de Seine-Saint-Denis restent à organiser.",
        "faisabilite": "Le réseau de quartier a déjà animé des ateliers semblables.",
        "durabilite": "Les bénévoles formés resteront dans les quartiers.",
        "egalite": "Les filles et les garçons sont accueillis à parts égales."},
}

#: criterion → (low 0–2, mid 3, high 4–5) → sentences, one drawn per review.
BANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "pertinence": (
        ("La réponse aux défis du programme est faible et peu argumentée dans la proposition.",
         "Le lien entre les activités et les défis communs reste trop général."),
        ("La proposition répond aux défis du programme, mais de façon partielle.",
         "Les défis visés sont pertinents ; le diagnostic aurait mérité d'être chiffré."),
        ("Une réponse claire et argumentée aux défis communs du programme.",
         "Le projet répond directement aux défis choisis, avec un diagnostic solide."),
    ),
    "changement": (
        ("Les acteurs et les chemins de changement sont à peine décrits.",
         "On voit mal ce qui changera pour les bénéficiaires à la fin du projet."),
        ("Le changement visé est décrit, mais ses indicateurs restent vagues.",
         "Les acteurs du changement sont identifiés ; le chemin pour y arriver l'est moins."),
        ("Les acteurs du changement et le chemin pour y arriver sont bien décrits.",
         "Un changement concret et mesurable pour les personnes concernées."),
    ),
    "partenariat": (
        ("Le partenaire de l'autre rive est cité mais son rôle dans le projet reste flou.",
         "Le partenariat est déséquilibré : presque tout repose sur le porteur."),
        ("Un partenariat réel, mais dont la gouvernance commune n'est pas décrite.",
         "Les rôles des partenaires sont répartis, sans instance de décision commune."),
        ("Un partenariat équilibré, avec des rôles clairs de part et d'autre.",
         "Les partenaires des deux rives décident ensemble et se rendent visite."),
    ),
    "faisabilite": (
        ("Le budget et le calendrier paraissent peu réalistes au regard des activités.",
         "Des moyens insuffisants pour les résultats annoncés."),
        ("Un plan d'action cohérent, avec quelques fragilités de calendrier.",
         "Le budget est plausible ; certains postes mériteraient d'être détaillés."),
        ("Moyens, calendrier et budget sont cohérents avec les activités prévues.",
         "Un plan d'action réaliste, porté par une équipe expérimentée."),
    ),
    "durabilite": (
        ("Peu d'éléments sur ce qui restera après la fin du financement.",
         "La suite du projet dépend entièrement d'un nouveau financement."),
        ("Une partie des acquis devrait durer, sans stratégie de sortie écrite.",
         "La pérennité est évoquée mais pas encore organisée."),
        ("Les acquis sont pensés pour durer au-delà du projet.",
         "Une stratégie de sortie crédible, avec des relais identifiés."),
    ),
    "egalite": (
        ("La place des femmes dans le projet et sa gouvernance est peu traitée.",
         "L'égalité femmes-hommes n'apparaît qu'en intention."),
        ("L'égalité est prise en compte dans les publics, moins dans la gouvernance.",
         "Des objectifs de mixité, sans moyens spécifiques pour les atteindre."),
        ("L'égalité femmes-hommes est au cœur des activités et de la gouvernance.",
         "Des mesures concrètes pour la place des femmes, suivies par des indicateurs."),
    ),
}
NOT_APPLICABLE = ("Sans objet à ce stade : le projet est une première expérimentation et la proposition ne prétend "
                  "pas encore à une pérennisation, ce que je ne lui reproche pas.")
#: A draft's justification still being written (the demo delegate's draft review).
DRAFT_NOTE = "À compléter après relecture du budget détaillé."
