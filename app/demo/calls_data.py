"""Texts of the demo calls for projects, from the seeds.

- ``CHALLENGES``: the seven shared challenges (défis) adopted by the assembly of members, seed 003
  l.2587-2603, in three themes; French from the seed, English and Arabic translated for the demo.
- ``SEED_CALL`` and ``SEED_PROJECTS``: the call "Coopérer autrement en acteurs de changement" and its nine
  funded projects, seed 002 (lead, partners, territories, beneficiaries, duration, budget, grant, texts).
  A partner that is a demo member (``app/demo/organisations.py``) is named by its acronym; the others
  are outside organisations with their country. Where the seed's beneficiaries mix people and
  organisations, the count is the seed's people, and the sheet's wording is kept in the summary.
- ``PCPA_PROJECTS``: proposals to the current PCPA call (invented for the demo, led by demo members).
"""
from __future__ import annotations

from typing import Any

#: (code, theme, French, English, Arabic)
CHALLENGES: list[tuple[str, str, str, str, str]] = [
    ("EDU-1", "edu",
     "Faire évoluer le modèle d'éducation pour y intégrer davantage la citoyenneté, la lutte contre les "
     "discriminations, les droits humains, l'écologie et le genre.",
     "Change the model of education so that it gives more room to citizenship, the fight against "
     "discrimination, human rights, ecology and gender.",
     "تطوير النموذج التربوي ليُدمج بشكل أكبر المواطنة ومكافحة التمييز وحقوق الإنسان والبيئة والنوع الاجتماعي."),
    ("EDU-2", "edu",
     "Favoriser le lien entre l'éducation formelle, informelle et non-formelle à travers le renforcement des "
     "associations d'éducation populaire.",
     "Strengthen the link between formal, informal and non-formal education by strengthening popular-education "
     "associations.",
     "تعزيز الربط بين التربية النظامية وغير الرسمية وغير النظامية من خلال دعم جمعيات التربية الشعبية."),
    ("EDU-3", "edu",
     "Renforcer l'égalité des droits pour permettre un meilleur accès pour tous à l'éducation.",
     "Strengthen equal rights so that everyone has better access to education.",
     "تعزيز المساواة في الحقوق لتمكين الجميع من نفاذ أفضل إلى التعليم."),
    ("INS-1", "ins",
     "Contribuer à l'élaboration et l'application d'une loi sur l'économie sociale et solidaire.",
     "Contribute to drafting and applying a law on the social and solidarity economy.",
     "المساهمة في إعداد قانون للاقتصاد الاجتماعي والتضامني وفي تطبيقه."),
    ("INS-2", "ins",
     "Contribuer à promouvoir l'emploi décent et durable en adéquation avec les enjeux territoriaux.",
     "Help promote decent and lasting employment that matches the needs of each territory.",
     "المساهمة في النهوض بالتشغيل اللائق والمستدام بما يتلاءم مع رهانات الجهات."),
    ("INS-3", "ins",
     "Contribuer à améliorer l'employabilité des demandeurs d'emploi pour faciliter le lien entre l'offre et la "
     "demande.",
     "Help improve the employability of job seekers, to bring job offers and job seekers together.",
     "المساهمة في تحسين قابلية تشغيل طالبي الشغل لتيسير الربط بين العرض والطلب."),
    ("CON-1", "con",
     "Diffuser et inspirer une méthode de travail PCPA à l'échelle nationale.",
     "Spread the PCPA way of working nationwide and inspire others with it.",
     "نشر منهجية عمل البرنامج المشترك متعدد الفاعلين على المستوى الوطني وجعلها مصدر إلهام."),
]
#: theme -> (French, English, Arabic)
THEMES: dict[str, tuple[str, str, str]] = {
    "edu": ("Éducation", "Education", "التربية"),
    "ins": ("Insertion socio-professionnelle", "Social and professional integration", "الإدماج الاجتماعي والمهني"),
    "con": ("Concertation pluri-acteurs", "Multi-stakeholder dialogue", "التشاور متعدد الأطراف"),
}

SEED_CALL: dict[str, str] = {
    "title_fr": "Coopérer autrement en acteurs de changement",
    "title_en": "Cooperating differently as agents of change",
    "title_ar": "التعاون بشكل مختلف كفاعلين في التغيير",
    # seed 002 l.3-11
    "text_fr": "Comment adapter nos pratiques et actions de solidarité dans un monde où les enjeux économiques, "
               "sociaux, environnementaux sont souvent proches et les territoires interdépendants ? Comment à "
               "notre échelle être de véritables acteurs de changements ? Comment établir avec nos partenaires "
               "des relations qui reflètent véritablement nos valeurs d'équité, de partage, d'équilibre ?\n\n"
               "Ici et là-bas, des problématiques liées à l'insertion des jeunes, aux droits humains ou encore à "
               "la consommation se font échos. Elles renvoient souvent aux mêmes questionnements. Par exemple, "
               "quels cadres de dialogue et de concertation mettre en place, réunissant les pouvoirs publics, le "
               "secteur marchand et les organisations de la société civile.\n\n"
               "Les 9 actions pilotes de ce programme offrent des pistes de réflexions et des propositions de "
               "réponses, mises en débat lors de temps transversaux.",
    "text_en": "How can we adapt our solidarity practices in a world where economic, social and environmental "
               "issues are often close and territories depend on one another? How can we, at our scale, be real "
               "agents of change, and build relations with our partners that reflect our values of fairness, "
               "sharing and balance?\n\n"
               "Here and there, the integration of young people, human rights and consumption raise the same "
               "questions: which frameworks for dialogue bring together public authorities, business and civil "
               "society organisations?\n\n"
               "The 9 pilot actions of this programme offer ideas and answers, debated together across the "
               "projects.",
    "text_ar": "كيف نكيّف ممارساتنا وأعمالنا التضامنية في عالم تتقارب فيه الرهانات الاقتصادية والاجتماعية والبيئية "
               "وتترابط فيه المجالات الترابية؟ وكيف نكون، على مستوانا، فاعلين حقيقيين في التغيير؟\n\n"
               "هنا وهناك، تتقاطع قضايا إدماج الشباب وحقوق الإنسان والاستهلاك: ما هي أطر الحوار والتشاور التي "
               "تجمع السلطات العمومية والقطاع الاقتصادي ومنظمات المجتمع المدني؟\n\n"
               "تقدّم المشاريع النموذجية التسعة لهذا البرنامج مسارات للتفكير ومقترحات للإجابة، تُناقش في لقاءات "
               "مشتركة.",
}

# Partners: ("member", acronym, kind, role) or ("outside", name, country, kind, role).
# "requested": what the project asked where the seed's grant is below the maximum the rules allow; None
# where the rate or the ceiling limits it: the project then asks whole euros, its share at the rate
# rounded to the euro and capped at the ceiling (``seed_call._requested_2014``; Essor asks 66,333 €).
SEED_PROJECTS: list[dict[str, Any]] = [
    {  # seed 002 l.15-70
        "lead": "BATIK", "title": "Échangeons : pour l'insertion économique et professionnelle des femmes",
        "partners": [("member", "CHA", "association", "Partenaire principal"),
                     ("member", "RIDF", "local_authority", "Mission Égalité de la Région Île-de-France")],
        "territories": "Provinces de Fès et Meknès (Maroc), Le Caire (Égypte), Gouvernorats du Kef et de Nabeul "
                       "(Tunisie), Région Île-de-France",
        "direct": 35, "indirect": 800, "months": 25, "budget": "98525", "grant": "64040", "requested": "64040",
        "partner_indicator": ("Professionnelles formées aux outils d'égalité par {partner}", "personnes", "24"),
        "challenges": ["INS-2"],
        "summary": "Le projet E'changeons vise à contribuer à la réduction des inégalités économiques entre les "
                   "femmes et les hommes en Île-de-France et dans les pays de la rive sud de la Méditerranée à "
                   "travers un échange réciproque d'expertise. Les organisations de la société civile des deux "
                   "rives mettent en place un dispositif de formation action.",
        "results": "- Renforcer les capacités d'un groupe d'acteurs franciliens de l'insertion dans l'élaboration "
                   "d'outils de suivi-évaluation orientés changement.\n"
                   "- Donner des outils aux OSC ici et là-bas pour devenir des acteurs du changement dans la "
                   "lutte contre les inégalités.\n"
                   "- Participer à la création d'espaces de parole collectifs entre territoires.",
        "activities": "- Ateliers participatifs de construction des outils de mesure du changement.\n"
                      "- Accompagnement individuel des structures.\n"
                      "- Édition de guides sur l'évaluation des actions dans le domaine de l'égalité "
                      "professionnelle.\n"
                      "- Séminaire international de restitution des travaux.",
    },
    {  # seed 002 l.72-130
        "lead": "CAPSOL", "title": "Jeunes : esprit d'entreprendre et développement solidaire des territoires",
        "partners": [("member", "SCI", "association", "Partenaire principal"),
                     ("member", "RHDF", "local_authority", "Conseil régional du Nord-Pas-de-Calais / Hauts-de-France")],
        "territories": "Nord-Pas-de-Calais, France",
        "direct": 190, "indirect": 240, "months": 36, "budget": "90115", "grant": "58575", "requested": None,
        "partner_indicator": ("Jeunes volontaires accueillis par {partner}", "volontaires", "30"),
        "challenges": ["INS-3", "CON-1"],
        "summary": "Le projet vise à expérimenter de nouvelles synergies entre la société civile, les pouvoirs "
                   "publics et les acteurs économiques pour promouvoir le développement solidaire des territoires "
                   "par les jeunes. Bénéficiaires directs : 190 (chefs d'entreprise, jeunes, scolaires, "
                   "animateurs, chargés de mission) ; indirects : 240 structures.",
        "results": "Créer et promouvoir les opportunités pour que les projets de coopération internationale "
                   "participent au développement solidaire des territoires en France comme à l'international.",
        "activities": "- Création d'une vision commune de nouvelles formes de coopération internationale.\n"
                      "- Construction du dialogue : rencontres des acteurs, commissions opérationnelles.\n"
                      "- Élaboration d'une méthode d'analyse et d'un module de formation pour les publics "
                      "scolaires.\n"
                      "- Formation de formateurs et d'animateurs jeunesse.",
    },
    {  # seed 002 l.131-198
        "lead": "CGT", "title": "La santé et la sécurité au travail dans l'industrie de la banane",
        "partners": [("member", "CGTG", "union", "Partenaire principal"),
                     ("outside", "Coordinadora Latinoamericana de Sindicatos Bananeros y de la Agroindustria "
                                 "(COLSIBA)", "HN", "union", "Formateurs, ateliers régionaux"),
                     ("outside", "Banana Link", "GB", "association", "Plaidoyer"),
                     ("member", "INDECOSA", "association", "Sensibilisation des consommateurs")],
        "territories": "Guatemala, Honduras, Nicaragua, Costa Rica, Panama, Colombie, Équateur et Pérou ; "
                       "Antilles françaises : Guadeloupe et Martinique",
        "direct": 13600, "indirect": 115000, "months": 30, "budget": "108548", "grant": "66440", "requested": None,
        "partner_indicator": ("Délégués syndicaux formés par {partner}", "délégués", "60"),
        "challenges": ["INS-2"],
        "summary": "Réduire les impacts négatifs de l'utilisation des pesticides sur la santé des hommes et des "
                   "femmes qui travaillent dans les plantations et usines d'emballage de huit pays exportateurs "
                   "de bananes, et contribuer au renforcement des normes internationales du travail. "
                   "Bénéficiaires directs : 13 600 travailleurs et responsables syndicaux ; indirects : 115 000 "
                   "(hors France).",
        "results": "- Proposer des alternatives techniques viables et impliquer les travailleurs dans les comités "
                   "hygiène, santé et sécurité au travail.\n"
                   "- Organiser des rencontres entre syndicats d'Amérique centrale et d'Amérique du Sud.\n"
                   "- Mobiliser pour un plaidoyer en vue de la ratification de la convention n°184 de l'OIT.",
        "activities": "- Voyage d'étude de représentants de COLSIBA en Guadeloupe.\n"
                      "- Ateliers de formation régionaux et nationaux pour les membres des CHST.\n"
                      "- Élaboration du manuel de formation HST.\n"
                      "- Campagne de plaidoyer et de sensibilisation du grand public.",
    },
    {  # seed 002 l.199-282
        "lead": "CA-G44", "title": "L'insertion sociale et professionnelle des jeunes en milieu rural",
        "partners": [("member", "UNMFR", "association", "Réseau des Maisons familiales rurales"),
                     ("member", "FDMFR72", "association", "Fédération des MFR de la Sarthe"),
                     ("member", "FDMFR53", "association", "Fédération des MFR de la Mayenne"),
                     ("outside", "Intercollectivité de Kindia", "GN", "local_authority", "Plateforme de Kindia"),
                     ("outside", "Fédération des Organisations Paysannes de Basse Guinée", "GN", "association",
                      "Filières agricoles"),
                     ("outside", "Fédérations régionales des artisans de Kindia et de Boké", "GN", "union",
                      "Métiers de l'artisanat"),
                     ("outside", "Collectivités locales de la région de Boké (Boffa, Kolabouyi, Sangarédi, Boké)",
                      "GN", "local_authority", "Plateforme de Boké")],
        "territories": "Régions de Boké et de Kindia (Basse Guinée), République de Guinée ; Pays de la Loire, France",
        "direct": 550, "indirect": None, "months": 36, "budget": "526561", "grant": "66440", "requested": None,
        "partner_indicator": ("Formateurs accompagnés par {partner}", "formateurs", "36"),
        "challenges": ["INS-3", "CON-1"],
        "summary": "Le projet contribue à la politique nationale guinéenne de formation professionnelle pour "
                   "l'insertion socio-économique des jeunes (15-30 ans) en milieu rural. Bénéficiaires directs : "
                   "200 jeunes et 200 familles, 40 représentants d'associations, 110 représentants des pouvoirs "
                   "publics.",
        "results": "- Favoriser des concertations pluri-acteurs et territoriales pour faire émerger des parcours "
                   "de formation professionnelle et d'insertion.\n"
                   "- Expérimenter des dispositifs de formation professionnelle à Kindia et Boké.\n"
                   "- Capitaliser l'expérience d'une coopération solidaire de territoires à territoires.",
        "activities": "- Deux plateformes de concertation territoriales (Kindia et Boké).\n"
                      "- Diagnostics territoriaux et sectoriels des opportunités d'emploi.\n"
                      "- Échanges d'expériences avec le réseau international des Maisons familiales rurales.\n"
                      "- Définition de parcours de formation professionnelle.",
    },
    {  # seed 002 l.284-347
        "lead": "ESSOR", "title": "Dispositifs innovants pour la formation et l'insertion professionnelle",
        "partners": [("outside", "Organisations de la société civile tchadienne", "TD", "association",
                      "Plateforme de la formation et de l'insertion"),
                     ("outside", "Pouvoirs publics tchadiens (ONAPE, FONAP, FONAJ)", "TD", "public_body",
                      "Plateforme institutionnelle"),
                     ("member", "LSI", "association", "Dispositifs d'insertion expérimentés à Lille")],
        "territories": "N'Djaména, Tchad ; Lille, France",
        "direct": 18, "indirect": 250, "months": 30, "budget": "102050", "grant": "66333", "requested": None,
        "partner_indicator": ("Jeunes en formation suivis par {partner}", "jeunes", "120"),
        "challenges": ["INS-3", "CON-1"],
        "summary": "Créer un cadre de dialogue et d'échanges d'outils et de compétences entre les acteurs de la "
                   "formation et de l'insertion professionnelle au Tchad et en France. Bénéficiaires directs : "
                   "7 services publics, 9 OSC, 2 organisations professionnelles ; indirects : 250 jeunes "
                   "vulnérables, les entreprises et centres de formation professionnelle.",
        "results": "- Consolider une plateforme institutionnelle des acteurs de la formation et de l'insertion.\n"
                   "- Constituer des groupes sectoriels réunissant entreprises et centres de formation.\n"
                   "- Réaliser des échanges de pratiques Nord-Sud et des dispositifs pilotes.",
        "activities": "- Mise en place de la plateforme : comité de pilotage, réunions de co-construction.\n"
                      "- Dispositif de formation et d'insertion de 50 jeunes hommes et femmes vulnérables.\n"
                      "- Stratégie collective de plaidoyer.\n"
                      "- Débats communautaires citoyens dans quatre quartiers.",
    },
    {  # seed 002 l.349-427
        "lead": "GERES", "title": "Dynamique sociale autour d'un centre collectif d'activité économique",
        "partners": [("outside", "Association Malienne d'Éveil au Développement Durable (AMEDD)", "ML",
                      "association", "Partenaire principal"),
                     ("outside", "Commune de Konséguéla", "ML", "local_authority",
                      "Propriétaire de l'infrastructure"),
                     ("outside", "Agence Malienne pour le Développement de l'Énergie Domestique et "
                                 "l'Électrification Rurale (AMADER)", "ML", "public_body", "Électrification")],
        "territories": "Commune rurale de Konséguéla, cercle de Koutiala, région de Sikasso, Mali",
        "direct": 47, "indirect": 28910, "months": 24, "budget": "104710", "grant": "66440", "requested": None,
        "partner_indicator": ("Artisans et artisanes installés au centre par {partner}", "artisans", "40"),
        "challenges": ["INS-2"],
        "summary": "Mettre en place une infrastructure communautaire de fourniture d'énergie 100 % renouvelable "
                   "pour les très petites entreprises de la localité, avec un cadre de dialogue qui en assure la "
                   "pérennité. Bénéficiaires directs : la commune, un opérateur privé, 9 à 15 TPE, 30 meuniers ; "
                   "indirects : 4 130 ménages, soit environ 28 910 personnes.",
        "results": "- Un dispositif assurant la pérennité sociale et économique d'une infrastructure collective "
                   "d'énergie décentralisée.\n"
                   "- Diffuser les leçons de la Zone d'activités électrifiée de Konséguéla.",
        "activities": "- Phase test de 6 mois de la Zone d'activités électrifiée.\n"
                      "- Accompagnement de la mairie et de l'opérateur.\n"
                      "- Partage d'expériences avec l'intercommunalité de Koutiala et la région de Sikasso.",
    },
    {  # seed 002 l.429-494
        "lead": "GRDR", "title": "Les migrants : acteurs et vecteurs de l'économie solidaire",
        "partners": [("member", "APES", "association", "Réseau de l'économie solidaire"),
                     ("outside", "Espace Migration Développement Kayes (EMDK)", "ML", "association",
                      "Partenaire à Kayes")],
        "territories": "Nord-Pas-de-Calais, France ; Région de Kayes, Mali",
        "direct": 500, "indirect": 600, "months": 30, "budget": "101620", "grant": "65620", "requested": "65620",
        "partner_indicator": ("Initiatives de migrants accompagnées par {partner}", "initiatives", "25"),
        "challenges": ["INS-1"],
        "summary": "Penser les mobilités au sein de l'économie sociale et solidaire comme levier pour coopérer "
                   "autrement, à partir des territoires du Nord-Pas-de-Calais et de Kayes. Bénéficiaires "
                   "directs : 500 personnes ; indirects : 600 organisations.",
        "results": "- Rapprocher les initiatives des migrants des filières de l'ESS des deux territoires.\n"
                   "- Structurer la réflexion et le plaidoyer en faveur d'une économie solidaire.",
        "activities": "- Ébauche d'un Espace Migration Développement en Nord-Pas-de-Calais.\n"
                      "- Identification des dispositifs existants.\n"
                      "- Échanges, formations et sensibilisations.",
    },
    {  # seed 002 l.496-552
        "lead": "GRET", "title": "Le droit vecteur de solidarités entre acteurs sociaux, syndicaux, politiques et "
                                 "économiques pour les femmes migrantes",
        "partners": [("member", "CGT", "union", "Partenaire syndical français"),
                     ("outside", "Confédération générale du travail du Vietnam (VGCL)", "VN", "union",
                      "Partenaire syndical vietnamien"),
                     ("outside", "Union des femmes de Vinh Phuc", "VN", "association", "Centres d'aide juridique")],
        "territories": "Île-de-France, France ; Vietnam (7 provinces au Nord et au Sud)",
        "direct": 35, "indirect": 300000, "months": 24, "budget": "102100", "grant": "66000", "requested": "66000",
        "partner_indicator": ("Conseillers juridiques formés par {partner}", "conseillers", "45"),
        "challenges": ["INS-2"],
        "summary": "Contribuer à l'appropriation de leurs droits par les femmes migrantes qui travaillent dans le "
                   "secteur formel et informel au Vietnam et en France. Bénéficiaires directs : 35 porteurs de "
                   "pratiques de droit ou services juridiques ; indirects : 300 000 femmes vietnamiennes, 857 "
                   "unions locales et 96 unions départementales en France.",
        "results": "- Sensibiliser les femmes migrantes en France et au Vietnam à l'intérêt de s'organiser.\n"
                   "- Renforcer les centres d'aide juridique.\n"
                   "- Renforcer les acteurs syndicaux français et vietnamien.",
        "activities": "- Campagne syndicale conjointe en faveur des femmes migrantes.\n"
                      "- Accompagnement des centres d'aide juridique et des bourses du travail.\n"
                      "- Recueil de 15 à 20 pratiques d'aide juridique.",
    },
    {  # seed 002 l.554-615
        "lead": "SPF", "title": "Des paniers paysans de Comasagua au jardin solidaire de Montauban",
        "partners": [("outside", "Coopérative « Canasta campesina »", "SV", "cooperative", "Partenaire principal")],
        "territories": "Commune de Comasagua, département de La Libertad, Salvador ; régions Aquitaine et "
                       "Midi-Pyrénées, commune de Montauban (Tarn-et-Garonne)",
        "direct": 325, "indirect": 7676, "months": 30, "budget": "102220", "grant": "66440", "requested": None,
        "partner_indicator": ("Familles paysannes fournissant les paniers de {partner}", "familles", "60"),
        "challenges": ["INS-1"],
        "summary": "Une coopérative et une AMAP au Salvador ont tissé des liens entre des ruraux défavorisés et des "
                   "citoyens sensibilisés à l'agriculture biologique ; l'expérience a motivé le SPF pour créer un "
                   "jardin solidaire à Montauban. Bénéficiaires directs : au Salvador, 243 femmes et jeunes "
                   "agriculteurs et 72 agents ; en France, une dizaine de « futurs jardiniers ». Indirects : 1 696 "
                   "familles, soit 7 676 personnes (dont 49,7 % de femmes).",
        "results": "- Renforcer les capacités entrepreneuriales de la coopérative « La Canasta Campesina ».\n"
                   "- Soutenir ses alliances avec les universités salvadoriennes.\n"
                   "- Mobiliser des personnes en situation précaire autour d'un jardin solidaire.",
        "activities": "- Échanges d'expériences entre Français et Salvadoriens.\n"
                      "- Certification de la production agro-écologique de la coopérative.\n"
                      "- Production et distribution en circuits courts à Montauban.",
    },
]

#: Proposals to the current PCPA call. ``state``: "submitted", "draft" (all sections complete), "partial"
#: (some sections) or "started". Budget lines: (category, description, total, requested).
PCPA_PROJECTS: list[dict[str, Any]] = [
    {
        "lead": "MUN-SOUSSE", "state": "submitted",
        "title": "Maisons de quartier citoyennes à Sousse",
        "summary": "Ouvrir trois maisons de quartier où associations, écoles et municipalité animent ensemble des "
                   "activités d'éducation à la citoyenneté, avec l'appui du Département de l'Aude.",
        "territories": "Sousse (Tunisie) ; Aude (France)", "challenges": ["EDU-1", "CON-1"],
        "partners": [("member", "CD11", "local_authority", "Coopération décentralisée, échanges d'animateurs")],
        "direct": 600, "indirect": 12000, "women": 55, "youth": 70, "starts": (2027, 3, 1), "months": 24,
        "lines": [("staff", "Coordination et animateurs", "38000", "26600"),
                  ("activities", "Ateliers citoyens dans trois quartiers", "26000", "18200"),
                  ("travel", "Échanges Sousse-Carcassonne", "9000", "6300"),
                  ("evaluation", "Évaluation finale", "5000", "3500")],
        "cofinancing": [("Municipalité de Sousse (fonds propres)", "15600", True),
                        ("Département de l'Aude", "8000", False)],
        "indicators": [("Maisons de quartier ouvertes", "maisons", "0", "3"),
                       ("Jeunes ayant suivi un parcours citoyen", "personnes", "0", "600")],
        "results": "Trois maisons de quartier ouvertes et animées ; un conseil de quartier par maison.",
        "activities": "Diagnostic partagé, formation des animateurs, ateliers, échanges avec l'Aude.",
    },
    {
        "lead": "GOUV-GAFSA", "state": "submitted",
        "title": "Premier emploi dans le bassin minier de Gafsa",
        "summary": "Accompagner des jeunes diplômés vers un premier emploi décent avec les entreprises et les "
                   "associations du bassin minier, en s'inspirant des dispositifs de la Région Pays de la Loire.",
        "territories": "Gouvernorat de Gafsa (Tunisie) ; Pays de la Loire (France)", "challenges": ["INS-2", "INS-3"],
        "partners": [("member", "RPDL", "local_authority", "Binôme de coopération décentralisée"),
                     ("member", "FV", "association", "Volontariat d'échange entre les deux régions")],
        "direct": 240, "indirect": 3000, "women": 50, "youth": 100, "starts": (2027, 1, 15), "months": 30,
        "lines": [("staff", "Conseillers emploi", "52000", "36000"),
                  ("training", "Formations qualifiantes", "30000", "18000"),
                  ("travel", "Missions d'échange", "8000", "4000"),
                  ("communication", "Forum de l'emploi", "6000", "2000")],
        "cofinancing": [("Gouvernorat de Gafsa", "20000", True), ("Région Pays de la Loire", "16000", True)],
        "indicators": [("Jeunes en emploi six mois après", "personnes", "0", "120")],
        "results": "240 jeunes accompagnés, la moitié en emploi six mois après.",
        "activities": "Repérage, ateliers, stages en entreprise, forum annuel de l'emploi.",
    },
    {
        "lead": "ENDA", "state": "submitted",
        "title": "Finance solidaire pour les coopératives de femmes",
        "summary": "Ouvrir l'accès au crédit et à l'accompagnement des coopératives de femmes, en lien avec les "
                   "réseaux de l'économie solidaire français.",
        "territories": "Kairouan et Sidi Bouzid (Tunisie) ; Lille (France)", "challenges": ["INS-1"],
        "partners": [("member", "APES", "association", "Échanges entre réseaux de l'économie solidaire"),
                     ("member", "CFSI", "association", "Appui méthodologique")],
        "direct": 150, "indirect": 900, "women": 95, "youth": 30, "starts": (2027, 2, 1), "months": 36,
        "lines": [("staff", "Chargées d'accompagnement", "45000", "31500"),
                  ("activities", "Fonds d'amorçage des coopératives", "40000", "24000"),
                  ("training", "Formation à la gestion", "12000", "4500")],
        "cofinancing": [("Enda interarabe (fonds propres)", "25000", True)],
        "indicators": [("Coopératives financées", "coopératives", "0", "25")],
        "results": "25 coopératives financées et accompagnées.",
        "activities": "Diagnostics, formation, crédit, suivi.",
    },
    {
        "lead": "UTSS", "state": "partial",  # the demo delegate's own draft, to finish
        "title": "Solidarité de proximité pour les familles de Tunis",
        "summary": "Renforcer l'accompagnement social des familles des quartiers populaires de Tunis avec les "
                   "associations de quartier.",
        "territories": "Tunis (Tunisie)", "challenges": ["EDU-3"],
        "partners": [("member", "SL", "association", "Échanges de pratiques d'éducation populaire")],
        "lines": [("staff", "Travailleurs sociaux", "30000", "21000"),
                  ("activities", "Permanences dans les quartiers", "15000", "10500")],
        "cofinancing": [],
        "done": ["about", "partners"],
    },
    {
        "lead": "LIANES", "state": "draft",  # complete, but no partner from Tunisia: the check page says why
        "title": "Réseau régional des acteurs de la coopération en Hauts-de-France",
        "summary": "Animer un réseau régional des acteurs de la coopération internationale et de l'éducation à la "
                   "citoyenneté mondiale.",
        "territories": "Hauts-de-France (France)", "challenges": ["CON-1"],
        "partners": [("member", "RHDF", "local_authority", "Cofinanceur et membre du réseau"),
                     ("member", "LSI", "association", "Relais dans les quartiers de Lille")],
        "direct": 120, "indirect": 2000, "women": 60, "youth": 40, "starts": (2027, 1, 1), "months": 24,
        "lines": [("staff", "Animation du réseau", "36000", "25200"),
                  ("activities", "Rencontres régionales", "14000", "9800")],
        "cofinancing": [("Région Hauts-de-France", "15000", True)],
        "indicators": [("Structures membres actives", "structures", "40", "80")],
        "results": "Un réseau régional élargi à 80 structures.",
        "activities": "Rencontres, formations, outils partagés.",
    },
    {
        "lead": "GOUV-MONASTIR", "state": "started",
        "title": "Jeunes entrepreneurs de Monastir",
        "summary": "", "territories": "Monastir (Tunisie)", "challenges": ["INS-3"],
        "partners": [], "lines": [], "cofinancing": [], "done": [],
    },
]
