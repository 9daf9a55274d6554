"""Sign in for real, in a headless Chromium, against a local OpenID Connect provider that the
test starts (``oidc-provider-mock``): the app configured with ``[auth]`` sends the visitor to
the provider, the provider sends them back signed in, and the role comes from the store.

Covered: a lecteur does not see « Importer » and is refused it by its address; an editeur
imports (and the history records their e-mail); an e-mail with no role gets « Accès non
autorisé »; logout brings back the sign-in page.
"""

from __future__ import annotations

import secrets

import pytest
from e2e_harness import ARTIFACTS, free_port, is_local, running_app

pytestmark = pytest.mark.browser

LECTEUR = "lecteur@exemple.fr"
EDITEUR = "editeur@exemple.fr"
ADMIN = "admin@exemple.fr"
INCONNU = "inconnu@exemple.fr"
NAV = '[data-testid="stSidebarNav"]'
DROP_INPUT = '[data-testid="stFileUploaderDropzoneInput"]'


@pytest.fixture(scope="module")
def oidc_provider():
    """A local OpenID Connect provider: any ``sub`` typed in its form signs in, with that
    ``sub`` as e-mail."""
    import oidc_provider_mock

    with oidc_provider_mock.run_server_in_thread(port=0) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def signin_app(tmp_path_factory, geodata_ready, oidc_provider):
    """The app with ``[auth]`` pointing at the local provider, and three e-mails with roles
    given the way an administrator would, from the command line."""
    from territoires.cli import main

    data = tmp_path_factory.mktemp("e2e-signin")
    port = free_port()
    secrets_file = data / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "territoires-test"\n'
        'client_secret = "secret-de-test"\n'
        f'server_metadata_url = "{oidc_provider}/.well-known/openid-configuration"\n',
        encoding="utf-8",
    )
    database = data / "territoires.db"
    for email, role in ((ADMIN, "admin"), (LECTEUR, "lecteur"), (EDITEUR, "editeur")):
        assert main(["users", "add", email, "--role", role, "--db", str(database)]) == 0
    with running_app(data, port=port, extra_args=["--secrets.files", str(secrets_file)]) as url:
        yield url, database


def _context(browser):
    """A fresh browser (no cookie), kept off the network: the provider's page asks a CDN for
    its stylesheet."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="fr-FR")
    context.route(
        "**/*",
        lambda route: route.continue_() if is_local(route.request.url) else route.abort(),
    )
    return context


def _sign_in(page, url: str, email: str) -> None:
    from playwright.sync_api import expect

    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Se connecter").click(timeout=120_000)
    page.wait_for_url("**/oauth2/authorize**", timeout=60_000)
    page.fill("input[name=sub]", email)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{url}/**", timeout=60_000)
    expect(page.get_by_text(email).first).to_be_visible(timeout=120_000)


def _log_out(page, url: str) -> None:
    """« Se déconnecter » ends the app's session, then the provider's (its confirmation page),
    and comes back to the sign-in page."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_url("**/oauth2/end_session**", timeout=60_000)
    page.get_by_role("button", name="End session").click()
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    assert page.url.startswith(url)


def test_a_lecteur_is_refused_import_even_by_its_address_then_logs_out(browser, signin_app):
    from playwright.sync_api import expect

    url, _ = signin_app
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, url, LECTEUR)
    expect(page.get_by_text("lecteur (consultation et exports)")).to_be_visible()
    nav = page.locator(NAV)
    expect(nav).to_contain_text("Initiatives")
    expect(nav).not_to_contain_text("Importer")
    expect(nav).not_to_contain_text("Administration")

    page.goto(f"{url}/importer", wait_until="domcontentloaded")
    expect(
        page.get_by_text("Cette page est réservée aux éditeurs et administrateurs")
    ).to_be_visible(timeout=60_000)
    expect(page.get_by_text(f"vous êtes « lecteur » ({LECTEUR})")).to_be_visible()
    expect(page.locator(DROP_INPUT)).to_have_count(0)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "e2e-connexion-lecteur-importer.png"))

    _log_out(page, url)
    page.goto(f"{url}/importer", wait_until="domcontentloaded")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible(timeout=60_000)
    expect(page.locator(DROP_INPUT)).to_have_count(0)
    context.close()


def test_an_editeur_imports_and_the_history_names_them(browser, signin_app):
    from playwright.sync_api import expect

    from territoires.store import open_store

    url, database = signin_app
    context = _context(browser)
    page = context.new_page()
    _sign_in(page, url, EDITEUR)
    expect(page.locator(NAV)).to_contain_text("Importer")
    page.goto(f"{url}/importer", wait_until="domcontentloaded")
    content = "titre;commune;annee\nAtelier partagé de test;Rostrenen;2024\n".encode()
    page.locator(DROP_INPUT).set_input_files(
        files=[{"name": "connexion.csv", "mimeType": "text/csv", "buffer": content}],
        timeout=120_000,
    )
    page.get_by_role("button", name="Importer", exact=True).click(timeout=60_000)
    expect(page.get_by_text("Import terminé")).to_be_visible(timeout=60_000)

    store = open_store(str(database))
    try:
        journal = store.imports()
        assert journal.iloc[0]["utilisateur"] == EDITEUR
        assert journal.iloc[0]["fichier"] == "connexion.csv"
        history = store.history(lot=int(journal.iloc[0]["lot"]))
        assert set(history["utilisateur"]) == {EDITEUR}
    finally:
        store.close()
    _log_out(page, url)
    context.close()


def test_an_email_with_no_role_is_told_whom_to_ask(browser, signin_app):
    from playwright.sync_api import expect

    url, _ = signin_app
    context = _context(browser)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("button", name="Se connecter").click(timeout=120_000)
    page.wait_for_url("**/oauth2/authorize**", timeout=60_000)
    page.fill("input[name=sub]", INCONNU)
    page.get_by_role("button", name="Authorize").click()
    refusal = page.get_by_test_id("te-refus")
    expect(page.get_by_role("heading", name="Accès non autorisé")).to_be_visible(timeout=120_000)
    expect(refusal).to_contain_text(INCONNU)
    expect(refusal).to_contain_text(ADMIN)  # whom to ask: the admins, by default
    expect(page.locator(NAV)).to_have_count(0)
    context.close()
