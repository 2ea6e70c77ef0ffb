"""Texts and plans of the demo grants (``app/demo/grants.py``).

- ``PLANS``: what became of each grant, by its lead's acronym: the seed's nine projects, then the demo delegate's
  project of the 2026 call (UTSS). ``starts`` is in months from the first day of the month of the load, so the
  dashboards (due, overdue, at risk) read the same whenever the demo is loaded.
- ``REGISTRATIONS``: org-id registrations (scheme, number) of a few members, so the 360Giving and IATI exports
  carry org-ids; the others keep the platform's internal identifier. The numbers have the schemes' formats
  (a Tunisian RNE identifier, a French RNA "W" number, a SIREN for an RCS registration) but are invented for
  the demo: the leading zeros mark them as such.
- The narrative of the reports, the secretariat's comments on the returned one, the amendments' reasons and
  the correction of a mistyped payment, in French as the programme writes them.
"""
from __future__ import annotations

from dataclasses import dataclass

ON_SIGNATURE, REPORT_APPROVED, EXPENDITURE_SHARE = "on_signature", "report_approved", "expenditure_share"


@dataclass(frozen=True)
class Plan:
    """One grant's story.

    ``stage``: ``signed`` (just signed), ``active``, ``closing`` (every report approved, the refund to receive)
    or ``closed`` (closed with a refund). ``done``: how many reports were written; the last one's fate is
    ``last`` (approved, submitted and waiting, returned, or left overdue with no version). ``instalments``:
    (percent of the award, condition, report number or share percent). ``pay_due``: whether the instalments
    the last approval made due were paid (False leaves one due on the secretariat's dashboard).
    """

    lead: str
    stage: str
    starts: int
    done: int = 0
    last: str = "approved"
    instalments: tuple[tuple[int, str, int | None], ...] = ((40, ON_SIGNATURE, None), (40, REPORT_APPROVED, 1),
                                                            (20, EXPENDITURE_SHARE, 80))
    period_months: int = 6
    pay_due: bool = True
    extra: str = ""  # overspent_amendment_pending | correction | amendment_approved | tnd_draft


PLANS: tuple[Plan, ...] = (
    Plan("BATIK", "signed", starts=1),
    Plan("CAPSOL", "active", starts=-15, done=2, extra="overspent_amendment_pending"),
    Plan("CGT", "active", starts=-13, done=2, last="submitted", extra="correction"),
    Plan("CA-G44", "active", starts=-8, done=1, last="returned"),
    Plan("ESSOR", "active", starts=-8, done=1, last="overdue"),
    Plan("GERES", "active", starts=-16, done=2, extra="amendment_approved",
         instalments=((40, ON_SIGNATURE, None), (40, REPORT_APPROVED, 1), (20, EXPENDITURE_SHARE, 50))),
    Plan("GRDR", "active", starts=-7, done=1, pay_due=False),
    Plan("GRET", "closed", starts=-29, done=4),
    Plan("SPF", "closing", starts=-33, done=5),
    Plan("UTSS", "active", starts=-2, done=0, period_months=3, extra="tnd_draft",
         instalments=((30, ON_SIGNATURE, None), (40, REPORT_APPROVED, 2), (30, EXPENDITURE_SHARE, 80))),
)

#: acronym -> (org-id scheme, registration number); invented numbers in the schemes' formats.
REGISTRATIONS: dict[str, tuple[str, str]] = {
    "UTSS": ("TN-RNE", "0000318A"),
    "CFTK": ("TN-RNE", "0000427M"),
    "CPK": ("TN-RNE", "0000536P"),
    "CAERS": ("FR-RCS", "000000318"),
    "SL": ("FR-RNA", "W750000101"),
    "BATIK": ("FR-RNA", "W750000202"),
    "CAPSOL": ("FR-RNA", "W595000303"),
    "ESSOR": ("FR-RNA", "W595000404"),
    "GERES": ("FR-RNA", "W133000505"),
    "GRDR": ("FR-RNA", "W931000606"),
    "GRET": ("FR-RNA", "W943000707"),
    "SPF": ("FR-RNA", "W751000808"),
}

#: The TND payment of the demo delegate's grant: the rate of the day (TND for 1 EUR).
TND_RATE = "3.4125"

#: Narrative sections of a report, a few ways of saying each ({period}: the period in words).
NARRATIVE: dict[str, tuple[str, ...]] = {
    "activities": (
        "Sur la période {period}, l'équipe a tenu les ateliers prévus avec les partenaires ; les comptes rendus "
        "sont joints. Deux rencontres d'échange ont réuni les participants des deux rives.",
        "Les activités de la période {period} ont suivi le calendrier : sessions de formation, visites de terrain "
        "et un comité de pilotage réunissant le chef de file et ses partenaires.",
        "Pendant la période {period}, le projet a consolidé ses groupes de travail et organisé une mission "
        "d'échange ; un atelier a été reporté d'un mois à la demande des partenaires.",
    ),
    "results": (
        "Les premiers résultats sont conformes aux attentes : la participation dépasse l'objectif intermédiaire "
        "et les partenaires s'approprient les outils produits.",
        "Le nombre de personnes touchées progresse comme prévu ; les partenaires ont adopté une charte commune de "
        "fonctionnement.",
        "Les résultats de la période sont en ligne avec le cadre logique ; les indicateurs sont renseignés "
        "ci-dessous avec leurs sources.",
    ),
    "difficulties": (
        "La hausse des prix des billets d'avion a renchéri les missions ; nous avons regroupé certains "
        "déplacements.",
        "Le départ d'une animatrice a ralenti une activité pendant six semaines ; son remplacement est effectif.",
        "Aucune difficulté majeure ; les délais de versement des cofinancements locaux ont été un peu longs.",
    ),
    "next_steps": (
        "La prochaine période sera consacrée à l'élargissement des activités et à la préparation de la "
        "capitalisation.",
        "Nous préparons la rencontre annuelle des partenaires et la diffusion des premiers outils.",
        "Les partenaires ont arrêté un calendrier pour les six prochains mois, joint au rapport.",
    ),
}
#: The first lines of the UTSS draft, written by the alternate (the delegate finishes and submits it).
UTSS_DRAFT = {"activities": "Les locaux prêtés par la municipalité d'Ettadhamen sont aménagés ; les premières "
                            "inscriptions ont eu lieu en novembre. La formation des animatrices avec Solidarité "
                            "Laïque commence le mois prochain."}

#: The secretariat's comments on the returned report, per part.
RETURN_COMMENTS = {
    "expenditure": "La ligne L3 (missions et échanges) ne correspond pas aux justificatifs joints : il manque les "
                   "factures de la mission de mars. Merci de les joindre ou de corriger le montant.",
    "indicators": "Précisez la source du nombre de formateurs accompagnés (listes d'émargement ?).",
    "general": "Le rapport narratif est clair ; il suffit de compléter la partie financière pour que nous "
               "puissions l'approuver.",
}

AMENDMENT_PENDING_REASON = ("Les frais de mission ont fortement augmenté (billets d'avion et hébergement) : nous "
                            "demandons de transférer 3 000 € de la ligne « Activités et ateliers », où des "
                            "économies ont été faites, vers la ligne « Missions et échanges ».")
AMENDMENT_APPROVED_REASON = ("Les travaux du centre collectif ont pris trois mois de retard à cause de la saison "
                             "des pluies : nous demandons de prolonger le projet de trois mois et de transférer "
                             "2 500 € de la ligne « Capitalisation et publications » vers « Activités et ateliers ».")
CORRECTION_REASON = "Montant saisi avec deux chiffres inversés : le virement émis est de {amount} €."
