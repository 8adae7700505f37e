"""Installs the analysis views (codebook, coding in the editor, memos and diary, retrieval,
matrix, search, auto-coding) on the main window. Each controller gets the AnalysisContext
and nothing else; the order here is the order of their menu entries."""

from __future__ import annotations

from app.analysis_context import AnalysisContext


def install_analysis(context: AnalysisContext) -> list[object]:
    """Create every analysis controller; the window keeps the list so they live as long as it."""
    from app.autocode_actions import AutocodeController
    from app.codebook_actions import CodebookController
    from app.coding_actions import CodingController
    from app.consent_actions import ConsentController
    from app.exchange_actions import ExchangeController
    from app.memo_actions import MemoController
    from app.pseudonym_actions import PseudonymController
    from app.register_actions import RegisterController
    from app.retrieval_actions import RetrievalController
    from app.source_actions import SourceController
    from app.speaker_actions import SpeakerController
    controllers: list[object] = []
    controllers.append(CodebookController(context))
    controllers.append(CodingController(context))
    controllers.append(RetrievalController(context))
    controllers.append(AutocodeController(context))
    controllers.append(MemoController(context))
    controllers.append(RegisterController(context))
    controllers.append(PseudonymController(context))
    controllers.append(SourceController(context))
    controllers.append(ConsentController(context))
    controllers.append(ExchangeController(context))
    controllers.append(SpeakerController(context))
    return controllers
