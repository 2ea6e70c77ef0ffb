"""Member organisations for the demo programme, taken from the seed documents.

Real names come from ../shared/seeds; entries with fictitious=True are invented to reach ~70 members and are clearly marked.

``source`` is the seed file prefix ("000", "002", "003") for real entries, "demo"
for invented ones; the comment before each real entry gives the seed line(s).
Only French and Tunisian organisations are kept: partners from other countries
named in the seeds (Mali, Guinea, Chad, Vietnam, Latin America...) are left out.
"""
from __future__ import annotations

COLLEGES = [  # code, name_fr, name_en, name_ar
    ("cs-tn", "Société civile tunisienne", "Tunisian civil society", "المجتمع المدني التونسي"),
    ("cs-fr", "Société civile française", "French civil society", "المجتمع المدني الفرنسي"),
    ("auth", "Collectivités territoriales", "Local authorities", "الجماعات المحلية"),
]

ORGANISATIONS: list[dict] = [
    # ------------------------------------------------------------------
    # Real organisations — French civil society
    # ------------------------------------------------------------------
    # 003 l.2412 "PORTEUR : ASSOCIATION SOLIDARITÉ LAÏQUE"; l.2615 "garant de l'ensemble du programme"
    {"name": "Solidarité Laïque", "acronym": "SL", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": True, "fictitious": False, "source": "003"},
    # 003 l.1990 "PORTEUR : CFSI (COMITÉ FRANÇAIS POUR LA SOLIDARITÉ INTERNATIONALE)"; l.103
    {"name": "Comité Français pour la Solidarité Internationale", "acronym": "CFSI", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.2575 "F3E - association française ..."; l.2236 "PORTEUR : RESEAU F3E"
    {"name": "F3E", "acronym": "F3E", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "003"},
    # 002 l.18 Batik International (project with Kef and Nabeul, Tunisia, l.30-33)
    {"name": "Batik International", "acronym": "BATIK", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.77
    {"name": "Cap Solidarités", "acronym": "CAPSOL", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Lille", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.133
    {"name": "Confédération Générale du Travail", "acronym": "CGT", "kind": "union", "country": "FR", "college": "cs-fr", "territory": "Montreuil", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.200
    {"name": "Coopération Atlantique – Guinée 44", "acronym": "CA-G44", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Nantes", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.285
    {"name": "Essor", "acronym": "ESSOR", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Lille", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.350 "Geres, Groupe Energies Renouvelables et Environnement"
    {"name": "Geres – Groupe Énergies Renouvelables et Environnement", "acronym": "GERES", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Aubagne", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.434; 003 l.103; 004 l.367
    {"name": "Grdr Migration – Citoyenneté – Développement", "acronym": "GRDR", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Montreuil", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.501 "Gret, professionnels du développement solidaire"
    {"name": "Gret", "acronym": "GRET", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Nogent-sur-Marne", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.562
    {"name": "Secours Populaire Français", "acronym": "SPF", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.22 (partner of Batik International)
    {"name": "Centre Hubertine Auclert", "acronym": "CHA", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.81 (partner of Cap Solidarités)
    {"name": "Service Civil International", "acronym": "SCI", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Saint-Denis", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.137 (Guadeloupe, France)
    {"name": "Confédération Générale du Travail de la Guadeloupe", "acronym": "CGTG", "kind": "union", "country": "FR", "college": "cs-fr", "territory": "Pointe-à-Pitre", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.143 "INDECOSA (Association des Consommateurs de la CGT)"
    {"name": "INDECOSA – Association des Consommateurs de la CGT", "acronym": "INDECOSA", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Montreuil", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.205-209 "Union Nationale des Maisons Familiales Rurales, Fédérations des MFR de Sarthe et de Mayenne"
    {"name": "Union Nationale des Maisons Familiales Rurales", "acronym": "UNMFR", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "002"},
    {"name": "Fédération des Maisons Familiales Rurales de la Sarthe", "acronym": "FDMFR72", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Le Mans", "guarantor": False, "fictitious": False, "source": "002"},
    {"name": "Fédération des Maisons Familiales Rurales de la Mayenne", "acronym": "FDMFR53", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Laval", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.293 "L'association Initiatives Plurielles Lille Sud Insertion (LSI)"
    {"name": "Initiatives Plurielles Lille Sud Insertion", "acronym": "LSI", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Lille", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.440 "APES (Acteurs Pour une Economie Solidaire)"; 004 l.377 "L'Apes est un réseau ..."
    {"name": "Acteurs Pour une Économie Solidaire", "acronym": "APES", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Lille", "guarantor": False, "fictitious": False, "source": "002"},
    # 003 l.103 (comité technique TERRINCLUS); l.232 co-funder of the Aude–Sousse cooperation
    {"name": "France Volontaires", "acronym": "FV", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.103
    {"name": "Lianes Coopération", "acronym": "LIANES", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Lille", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.103
    {"name": "CERCOOP Franche-Comté", "acronym": "CERCOOP", "kind": "network", "country": "FR", "college": "cs-fr", "territory": "Besançon", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.103
    {"name": "Agence nouvelle des solidarités actives", "acronym": "ANSA", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.103
    {"name": "Convergences", "acronym": "CONV", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.930 "ASSOCIATION « PAYS DE SAVOIE SOLIDAIRES »"
    {"name": "Pays de Savoie Solidaires", "acronym": "PSS", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Chambéry", "guarantor": False, "fictitious": False, "source": "003"},

    # ------------------------------------------------------------------
    # Real organisations — local authorities (France and Tunisia)
    # ------------------------------------------------------------------
    # 003 l.2535 "Deux binômes de coopération décentralisée : la Région Pays de la Loire et le Gouvernorat de Gafsa,
    #             l'ex Région Rhône-Alpes et le Gouvernorat de Monastir"
    {"name": "Région Pays de la Loire", "acronym": "RPDL", "kind": "local_authority", "country": "FR", "college": "auth", "territory": "Nantes", "guarantor": False, "fictitious": False, "source": "003"},
    {"name": "Gouvernorat de Gafsa", "acronym": "GOUV-GAFSA", "kind": "local_authority", "country": "TN", "college": "auth", "territory": "Gafsa", "guarantor": False, "fictitious": False, "source": "003"},
    # (ex Région Rhône-Alpes, now Auvergne-Rhône-Alpes)
    {"name": "Région Auvergne-Rhône-Alpes", "acronym": "RAURA", "kind": "local_authority", "country": "FR", "college": "auth", "territory": "Lyon", "guarantor": False, "fictitious": False, "source": "003"},
    {"name": "Gouvernorat de Monastir", "acronym": "GOUV-MONASTIR", "kind": "local_authority", "country": "TN", "college": "auth", "territory": "Monastir", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.86, l.134 "PARTENAIRE : MUNICIPALITÉ DE SOUSSE (TUNISIE)"
    {"name": "Municipalité de Sousse", "acronym": "MUN-SOUSSE", "kind": "local_authority", "country": "TN", "college": "auth", "territory": "Sousse", "guarantor": False, "fictitious": False, "source": "003"},
    # 003 l.86, l.199 (Aude–Sousse cooperation since 2012)
    {"name": "Département de l'Aude", "acronym": "CD11", "kind": "local_authority", "country": "FR", "college": "auth", "territory": "Carcassonne", "guarantor": False, "fictitious": False, "source": "003"},
    # 002 l.25 "Mission Egalité de la Région Ile-de-France" (partner of Batik's France–Tunisia project)
    {"name": "Région Île-de-France", "acronym": "RIDF", "kind": "local_authority", "country": "FR", "college": "auth", "territory": "Paris", "guarantor": False, "fictitious": False, "source": "002"},
    # 002 l.83 "Conseil Régional du Nord Pas-de-Calais / Hauts de France"
    {"name": "Région Hauts-de-France", "acronym": "RHDF", "kind": "local_authority", "country": "FR", "college": "auth", "territory": "Lille", "guarantor": False, "fictitious": False, "source": "002"},

    # ------------------------------------------------------------------
    # Real organisations — Tunisian civil society
    # ------------------------------------------------------------------
    # 000 l.224 "En partenariat avec PlaNet Finance (Maroc) et l'UTSS (Tunisie)"
    {"name": "Union Tunisienne de Solidarité Sociale", "acronym": "UTSS", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Tunis", "guarantor": False, "fictitious": False, "source": "000"},
    # 000 l.327-335 "Basée en Tunisie, Enda interarabe est une institution de microfinance"
    {"name": "Enda interarabe", "acronym": "ENDA", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Tunis", "guarantor": False, "fictitious": False, "source": "000"},

    # ------------------------------------------------------------------
    # Fictitious organisations (invented for the demo; names end in "(fictive)")
    # ------------------------------------------------------------------
    # Tunisia — local authorities
    {"name": "Municipalité de Oued Ennour (fictive)", "acronym": "MUN-OUEDENNOUR", "kind": "local_authority", "country": "TN", "college": "auth", "territory": "Sidi Bouzid", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Municipalité de Bir Essalam (fictive)", "acronym": "MUN-BIRESSALAM", "kind": "local_authority", "country": "TN", "college": "auth", "territory": "Jendouba", "guarantor": False, "fictitious": True, "source": "demo"},
    # Tunisia — civil society
    {"name": "Association Jeunesse et Citoyenneté de Kasserine (fictive)", "acronym": "AJCK", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Kasserine", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Collectif Emploi Jeunes de Sidi Bouzid (fictive)", "acronym": "CEJSB", "kind": "network", "country": "TN", "college": "cs-tn", "territory": "Sidi Bouzid", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Coopérative Féminine des Tisseuses de Kairouan (fictive)", "acronym": "CFTK", "kind": "cooperative", "country": "TN", "college": "cs-tn", "territory": "Kairouan", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association pour l'Éducation Populaire du Sud (fictive)", "acronym": "AEPS", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Gabès", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Réseau de l'Économie Sociale et Solidaire du Centre (fictive)", "acronym": "RESSC", "kind": "network", "country": "TN", "college": "cs-tn", "territory": "Kairouan", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Syndicat Régional des Enseignants du Kef (fictive)", "acronym": "SREK", "kind": "union", "country": "TN", "college": "cs-tn", "territory": "Le Kef", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Fédération des Travailleurs Agricoles de Jendouba (fictive)", "acronym": "FTAJ", "kind": "union", "country": "TN", "college": "cs-tn", "territory": "Jendouba", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Femmes et Développement de Médenine (fictive)", "acronym": "AFDM", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Médenine", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Fondation Horizons Solidaires de Sfax (fictive)", "acronym": "FHSS", "kind": "foundation", "country": "TN", "college": "cs-tn", "territory": "Sfax", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Culture et Quartiers de Bizerte (fictive)", "acronym": "ACQB", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Bizerte", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Coopérative Oasis Bio de Tozeur (fictive)", "acronym": "COBT", "kind": "cooperative", "country": "TN", "college": "cs-tn", "territory": "Tozeur", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association pour l'Inclusion des Personnes Handicapées de Mahdia (fictive)", "acronym": "AIPHM", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Mahdia", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Maison des Associations de Nabeul (fictive)", "acronym": "MAN", "kind": "network", "country": "TN", "college": "cs-tn", "territory": "Nabeul", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Écoles Ouvertes de Siliana (fictive)", "acronym": "AEOS", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Siliana", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Club Citoyen Numérique de l'Ariana (fictive)", "acronym": "CCNA", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Ariana", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Environnement et Oasis de Kébili (fictive)", "acronym": "AEOK", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Kébili", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Union Locale des Artisans de Tataouine (fictive)", "acronym": "ULAT", "kind": "union", "country": "TN", "college": "cs-tn", "territory": "Tataouine", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Droit à l'Eau de Zaghouan (fictive)", "acronym": "ADEZ", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Zaghouan", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Coopérative des Pêcheurs de Kerkennah (fictive)", "acronym": "CPK", "kind": "cooperative", "country": "TN", "college": "cs-tn", "territory": "Sfax", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Théâtre Forum de Sousse (fictive)", "acronym": "ATFS", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Sousse", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Observatoire Citoyen des Politiques Locales de Béja (fictive)", "acronym": "OCPLB", "kind": "other", "country": "TN", "college": "cs-tn", "territory": "Béja", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association des Jeunes Agriculteurs de Sidi Bouzid (fictive)", "acronym": "AJASB", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Sidi Bouzid", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Réseau des Associations de Quartier de Ben Arous (fictive)", "acronym": "RAQBA", "kind": "network", "country": "TN", "college": "cs-tn", "territory": "Ben Arous", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Égalité et Parité de la Manouba (fictive)", "acronym": "AEPM", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Manouba", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Syndicat des Travailleurs de l'Économie Solidaire de Tunis (fictive)", "acronym": "STEST", "kind": "union", "country": "TN", "college": "cs-tn", "territory": "Tunis", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Fondation pour la Lecture Publique de Gafsa (fictive)", "acronym": "FLPG", "kind": "foundation", "country": "TN", "college": "cs-tn", "territory": "Gafsa", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Mines et Avenir de Redeyef (fictive)", "acronym": "AMAR", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Gafsa", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association Insertion et Formation de Monastir (fictive)", "acronym": "AIFM", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Monastir", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Coopérative Olivicole Solidaire de Sfax (fictive)", "acronym": "COSS", "kind": "cooperative", "country": "TN", "college": "cs-tn", "territory": "Sfax", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Centre de Ressources Associatives de Gabès (fictive)", "acronym": "CRAG", "kind": "other", "country": "TN", "college": "cs-tn", "territory": "Gabès", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Association des Mères Éducatrices de Tunis (fictive)", "acronym": "AMET", "kind": "association", "country": "TN", "college": "cs-tn", "territory": "Tunis", "guarantor": False, "fictitious": True, "source": "demo"},

    # France — civil society
    {"name": "Association Solidarités Méditerranée Marseille (fictive)", "acronym": "ASMM", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Marseille", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Coopérative d'Activités et d'Emploi Rives Sud (fictive)", "acronym": "CAERS", "kind": "cooperative", "country": "FR", "college": "cs-fr", "territory": "Lyon", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Syndicat Éducation et Solidarité Internationale 93 (fictive)", "acronym": "SESI93", "kind": "union", "country": "FR", "college": "cs-fr", "territory": "Saint-Denis", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Fondation Éducation Populaire Sans Frontières (fictive)", "acronym": "FEPSF", "kind": "foundation", "country": "FR", "college": "cs-fr", "territory": "Paris", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Ligue Jeunesse et Laïcité du Grand Est (fictive)", "acronym": "LJLGE", "kind": "association", "country": "FR", "college": "cs-fr", "territory": "Strasbourg", "guarantor": False, "fictitious": True, "source": "demo"},
    {"name": "Maison des Diasporas Franco-Tunisiennes (fictive)", "acronym": "MDFT", "kind": "other", "country": "FR", "college": "cs-fr", "territory": "Grenoble", "guarantor": False, "fictitious": True, "source": "demo"},
]

# Ex-officio members of the steering committee (no vote in the assembly).
# 003 l.2615: "Des membres de droit (bailleurs de fonds, ministères tunisiens) y participent."
EX_OFFICIO = [
    # 003 l.2542: main funder of the programme (2 594 653 €)
    {"name": "Agence Française de Développement", "role": "funder"},
    # 003 l.228: co-funder of the France–Tunisia Aude–Sousse cooperation (not named in the
    # Soyons Actifs sheet itself, which lists only AFD and Solidarité Laïque as funders)
    {"name": "Ministère des Affaires étrangères et du Développement international", "role": "ministry"},
    # 003 l.2615: the seed names the Tunisian ministries only collectively
    {"name": "Ministères tunisiens", "role": "ministry"},
]
