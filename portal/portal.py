"""The Reflex app: pages and HTTP routes only."""

from __future__ import annotations

import logging

import reflex as rx

from portal.api.routes import with_routes
from portal.api.headers import security_headers
from portal import logsafe
from portal.config import get_settings
from portal.ui.components import tab_title
from portal.ui.state import SessionBinding
from portal.ui.pages.accounts import AccountsState, accounts_page
from portal.ui.pages.client.home import HomeState, home_page
from portal.ui.pages.client.lists import ClientListsState, actions_page, dossiers_page
from portal.ui.pages.dossier import DossierState, client_dossier_page, staff_dossier_page
from portal.ui.pages.profile import ProfileState, profile_page
from portal.ui.pages.messages import (
    ClientMessagesState,
    OfficeMessagesState,
    ThreadState,
    client_messages_page,
    client_thread_page,
    office_messages_page,
    staff_thread_page,
)
from portal.ui.pages.twofa import TwofaState, email_page, twofa_page
from portal.ui.pages.public.join import JoinState, join_page
from portal.ui.pages.public.auth_pages import (
    ActivateCodeState,
    AuthFormState,
    activate_code_page,
    LoginCodeState,
    activate_page,
    email_confirm_page,
    forgot_page,
    login_code_page,
    login_page,
    reset_page,
)
from portal.ui.pages.staff.dossiers import OfficeDossiersState, office_dossiers_page
from portal.ui.pages.staff.clients import ClientsState, clients_page
from portal.ui.pages.staff.client_access import ClientAccessState, client_access_page
from portal.ui.pages.staff.dossier_edit import DossierEditState, dossier_edit_page
from portal.ui.pages.staff.questionnaires import DefinitionsState, questionnaires_page
from portal.ui.pages.staff.catalogue import CatalogueState, catalogue_page
from portal.ui.pages.staff.stukkenlijst import StukkenlijstState, stukkenlijst_page
from portal.ui.pages.staff.review import ReviewState, TaskListState, review_page, tasks_page
from portal.ui.pages.questionnaire import QuestionnaireState, client_questionnaire_page, staff_questionnaire_page
from portal.ui.pages.upload import UploadState, client_upload_page, staff_upload_page

logsafe.install()  # cookies, tokens and codes never reach a log line
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
get_settings()  # fail fast on unsafe settings

def on_backend_error(exception: Exception):
    """An unexpected error in a handler: logged with its trace; the user gets a calm, bilingual notice."""
    logging.getLogger("portal").exception("unhandled error in an event handler", exc_info=exception)
    return rx.toast.error(
        "Er ging iets mis. Probeer het opnieuw. — Something went wrong. Please try again.",
        duration=8000,
    )


app = rx.App(
    backend_exception_handler=on_backend_error,
    stylesheets=["/portal.css"],
    head_components=[
        rx.el.script(src="/portal.js"),
        rx.el.meta(name="theme-color", content="#1f3a5f"),
        rx.el.link(rel="icon", href="/favicon.svg", type="image/svg+xml"),
    ],
    html_lang="nl",
    api_transformer=[with_routes, security_headers],
)

async def housekeeping_hourly():
    """Every hour, in a worker thread: the jobs of portal/domain/maintenance.py (file sweep, two-step sweep)."""
    import asyncio

    from starlette.concurrency import run_in_threadpool

    from portal.domain import maintenance

    while True:
        await run_in_threadpool(maintenance.run_round)
        await asyncio.sleep(maintenance.INTERVAL_SECONDS)


async def outbox_sender():
    """This worker's mail sender (portal/domain/outbox.py): sends due mails, then waits for a commit that queued
    mail or OUTBOX_POLL_SECONDS, in a worker thread. Several workers each run one; leases keep them apart."""
    import asyncio
    import logging

    from starlette.concurrency import run_in_threadpool

    from portal.domain import outbox

    poll = get_settings().outbox_poll_seconds
    while True:
        try:
            await run_in_threadpool(outbox.send_due)
        except Exception:  # noqa: BLE001 - a database hiccup must not end the sender
            logging.getLogger("portal.outbox").exception("outbox round failed")
            await asyncio.sleep(poll)
        await run_in_threadpool(outbox.wait_for_work, poll)


app.register_lifespan_task(housekeeping_hourly)
app.register_lifespan_task(outbox_sender)
# before Reflex's own hydrate handling: a tab's state is wiped unless it belongs to the connection's session
app.add_middleware(SessionBinding(), index=0)

PUBLIC = AuthFormState.on_load_public
app.add_page(lambda: rx.center(rx.spinner(size="3"), padding="48px"), route="/", title="Portal", on_load=AuthFormState.to_start)
app.add_page(login_page, route="/login", title=tab_title("login.title"), on_load=PUBLIC)
app.add_page(forgot_page, route="/wachtwoord-vergeten", title=tab_title("forgot.title"), on_load=PUBLIC)
app.add_page(reset_page, route="/wachtwoord-herstellen", title=tab_title("reset.password"), on_load=PUBLIC)
app.add_page(activate_page, route="/activeren", title=tab_title("activate.submit"), on_load=PUBLIC)
app.add_page(activate_code_page, route="/activeren/code", title=tab_title("activate_code.title"), on_load=ActivateCodeState.on_load)
app.add_page(join_page, route="/uitnodiging", title=tab_title("join.title"), on_load=JoinState.on_load)
app.add_page(login_code_page, route="/login/code", title=tab_title("code.title"), on_load=LoginCodeState.on_load)
app.add_page(home_page, route="/home", title=tab_title("nav.home"), on_load=HomeState.on_load)
app.add_page(dossiers_page, route="/dossiers", title=tab_title("nav.dossiers"), on_load=ClientListsState.load_dossiers)
app.add_page(actions_page, route="/acties", title=tab_title("nav.actions"), on_load=ClientListsState.load_actions)
app.add_page(profile_page, route="/mijn-gegevens", title=tab_title("nav.profile"), on_load=ProfileState.on_load)
app.add_page(accounts_page, route="/mijn-gegevens/accounts", title=tab_title("accounts.title"), on_load=AccountsState.on_load)
app.add_page(twofa_page, route="/mijn-gegevens/tweestapsverificatie", title=tab_title("twofa.title"), on_load=TwofaState.on_load)
app.add_page(email_page, route="/mijn-gegevens/e-mailadres", title=tab_title("email_change.title"), on_load=TwofaState.on_load)
app.add_page(email_confirm_page, route="/e-mailadres-bevestigen", title=tab_title("title.email_confirm"), on_load=AuthFormState.confirm_email)
app.add_page(office_dossiers_page, route="/kantoor", title=tab_title("nav.office_dossiers"), on_load=OfficeDossiersState.on_load)
app.add_page(client_dossier_page, route="/dossiers/[dossier]", title=tab_title("title.dossier"), on_load=DossierState.on_load)
app.add_page(staff_dossier_page, route="/kantoor/dossiers/[dossier]", title=tab_title("title.dossier"), on_load=DossierState.on_load)
app.add_page(clients_page, route="/kantoor/klanten", title=tab_title("client.title"), on_load=ClientsState.on_load)
app.add_page(dossier_edit_page, route="/kantoor/dossiers/nieuw", title=tab_title("dossier_edit.title_new"), on_load=DossierEditState.on_load)
app.add_page(client_access_page, route="/kantoor/dossiers/[dossier]/klanten", title=tab_title("client_access.title"), on_load=ClientAccessState.on_load)
app.add_page(dossier_edit_page, route="/kantoor/dossiers/[dossier]/bewerken", title=tab_title("dossier_edit.title_edit"), on_load=DossierEditState.on_load)
app.add_page(client_upload_page, route="/acties/[action]", title=tab_title("action.kind.upload_request"), on_load=UploadState.on_load)
app.add_page(client_upload_page, route="/aanleveren/[item]", title=tab_title("request.deliver"), on_load=UploadState.on_load)
app.add_page(staff_upload_page, route="/kantoor/aanleveren/[item]", title=tab_title("request.deliver"), on_load=UploadState.on_load)
app.add_page(tasks_page, route="/kantoor/taken", title=tab_title("nav.tasks"), on_load=TaskListState.on_load)
app.add_page(review_page, route="/kantoor/beoordelen/[item]", title=tab_title("title.review"), on_load=ReviewState.on_load)
app.add_page(client_questionnaire_page, route="/vragenlijst/[response]", title=tab_title("action.kind.questionnaire"), on_load=QuestionnaireState.on_load)
app.add_page(staff_questionnaire_page, route="/kantoor/vragenlijst/[response]", title=tab_title("action.kind.questionnaire"), on_load=QuestionnaireState.on_load)
app.add_page(questionnaires_page, route="/kantoor/vragenlijsten", title=tab_title("questionnaire.list"), on_load=DefinitionsState.on_load)
app.add_page(catalogue_page, route="/kantoor/documenttypen", title=tab_title("catalogue.title"), on_load=CatalogueState.on_load)
app.add_page(stukkenlijst_page, route="/kantoor/dossiers/[dossier]/stukkenlijst", title=tab_title("stukkenlijst.title"), on_load=StukkenlijstState.on_load)
app.add_page(client_messages_page, route="/berichten", title=tab_title("nav.messages"), on_load=ClientMessagesState.on_load)
app.add_page(office_messages_page, route="/kantoor/berichten", title=tab_title("nav.messages"), on_load=OfficeMessagesState.on_load)
app.add_page(client_thread_page, route="/dossiers/[dossier]/berichten", title=tab_title("nav.messages"), on_load=ThreadState.on_load)
app.add_page(staff_thread_page, route="/kantoor/dossiers/[dossier]/berichten", title=tab_title("nav.messages"), on_load=ThreadState.on_load)
