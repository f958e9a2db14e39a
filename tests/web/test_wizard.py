"""The setup wizard: admin account -> first instance (tested before saving) -> first queue from a
preset, with the forecast -> done."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.web.pages import Mode
from vibe_quality_searcharr.context import AppContext
from vibe_quality_searcharr.instances.models import Instance
from vibe_quality_searcharr.simulator.testing import RunningSimulator
from vibe_quality_searcharr.web.wizard import WIZARD_STEPS, next_path

PASSWORD = "a wizard tested passphrase"


def test_steps_follow_one_list() -> None:
    assert [step.key for step in WIZARD_STEPS] == ["account", "instance", "queue", "done"]
    assert next_path("account") == "/setup/instance"
    assert next_path("instance") == "/setup/queue"
    assert next_path("queue") == "/setup/done"
    assert next_path("done") == "/setup/done"


def test_the_wizard_walks_from_the_account_to_done(
    anon_client: TestClient,
    context: AppContext,
    sonarr_simulator: RunningSimulator,
    mode: Mode,
) -> None:
    first = anon_client.get("/setup")
    assert 'aria-current="step">Admin account' in first.text
    created = anon_client.post(
        "/setup", data={"username": "admin", "password": PASSWORD}, follow_redirects=False
    )
    assert created.headers["location"] == "/setup/instance"
    csrf = anon_client.get("/setup/instance").text.split('name="csrf-token" content="')[1][:64]
    step = mode.page(mode.get(anon_client, "/setup/instance"))
    assert 'aria-current="step">First instance' in step
    assert 'href="/setup/queue">Skip for now' in step

    bad = mode.post(
        anon_client,
        "/setup/instance",
        data={
            "name": "Sonarr",
            "app": "sonarr",
            "url": sonarr_simulator.base_url,
            "api_key": "0" * 32,
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert 'id="api_key-error"' in mode.page(bad, 422)
    with context.database.session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Instance)) == 0

    good = mode.post(
        anon_client,
        "/setup/instance",
        data={
            "name": "Sonarr",
            "app": "sonarr",
            "url": sonarr_simulator.base_url,
            "api_key": sonarr_simulator.api_key,
            "enabled": "on",
        },
        headers={"X-CSRF-Token": csrf},
    )
    assert mode.redirected_to(good) == "/setup/queue"
    step = mode.page(mode.get(anon_client, "/setup/queue"))
    assert "Added Sonarr." in step
    assert 'aria-current="step">First queue' in step
    assert 'value="Steady missing"' in step
    assert "Forecast" in step
    assert "Nothing wanted: the queue has no backlog" in step
    assert 'href="/setup/done">Skip for now' in step
    form = {
        "name": "",
        "instance_id": step.split('id="instance_id"')[1].split('<option value="')[1].split('"')[0],
    }
    refused = mode.post(anon_client, "/setup/queue", data=form, headers={"X-CSRF-Token": csrf})
    assert 'id="name-error"' in mode.page(refused, 422)
    from vibe_quality_searcharr.search.queues.presets import PresetName
    from vibe_quality_searcharr.search.queues.views import new_queue_values

    values = new_queue_values(PresetName.STEADY_MISSING, int(form["instance_id"]))
    data = {k: ("on" if v is True else v) for k, v in values.items() if v is not False}
    made = mode.post(anon_client, "/setup/queue", data=data, headers={"X-CSRF-Token": csrf})
    assert mode.redirected_to(made) == "/setup/done"
    done = mode.page(mode.get(anon_client, "/setup/done"))
    assert "Created Steady missing." in done
    assert "<strong>Sonarr</strong>" in done
    assert sonarr_simulator.api_key not in done


def test_done_without_an_instance_says_what_to_do(anon_client: TestClient, mode: Mode) -> None:
    anon_client.post("/setup", data={"username": "admin", "password": PASSWORD})
    done = mode.page(mode.get(anon_client, "/setup/done"))
    assert "No instance is connected yet" in done
    assert 'href="/instances/new"' in done


def test_setup_errors_are_shown_next_to_the_field(anon_client: TestClient) -> None:
    response = anon_client.post("/setup", data={"username": "admin", "password": "short"})
    assert response.status_code == 422
    assert 'id="password-error"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_the_wizard_test_button_stays_in_the_wizard(
    anon_client: TestClient, sonarr_simulator: RunningSimulator, mode: Mode
) -> None:
    anon_client.post("/setup", data={"username": "admin", "password": PASSWORD})
    csrf = anon_client.get("/setup/instance").text.split('name="csrf-token" content="')[1][:64]
    data = {
        "name": "Sonarr",
        "app": "sonarr",
        "url": sonarr_simulator.base_url,
        "api_key": sonarr_simulator.api_key,
        "action": "test",
    }
    page = mode.page(
        mode.post(anon_client, "/setup/instance", data=data, headers={"X-CSRF-Token": csrf})
    )
    assert "Connected to Sonarr" in page
    assert sonarr_simulator.api_key not in page
    if not mode.htmx:
        assert 'aria-current="step">First instance' in page
