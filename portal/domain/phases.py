"""Dossier types and their phases, in order: the one place that defines them.

Labels are catalog ids ``phase.<type>.<phase>``.

>>> phases_of(DossierType.MORTGAGE)[0]
'aanvraag'
>>> reached(DossierType.MORTGAGE, "documenten")
('aanvraag', 'r_aanbod', 'documenten')
"""

from __future__ import annotations

from portal.db.models import DossierType

PHASES: dict[DossierType, tuple[str, ...]] = {
    DossierType.MORTGAGE: ("aanvraag", "r_aanbod", "documenten", "h_aanbod", "passeren"),
    DossierType.NOTARIAL_DEED: ("intake", "stukken", "concept_akte", "passeren", "afgerond"),
    DossierType.INCOME_STATEMENT: ("aanvraag", "stukken", "beoordeling", "rapport"),
}


def phases_of(dossier_type: DossierType | str) -> tuple[str, ...]:
    return PHASES[DossierType(dossier_type)]


def reached(dossier_type: DossierType | str, phase: str) -> tuple[str, ...]:
    """The phases up to and including ``phase``."""
    phases = phases_of(dossier_type)
    return phases[: phases.index(phase) + 1]


def phase_label_id(dossier_type: DossierType | str, phase: str) -> str:
    return f"phase.{DossierType(dossier_type).value}.{phase}"


def type_label_id(dossier_type: DossierType | str) -> str:
    return f"dossier_type.{DossierType(dossier_type).value}"
