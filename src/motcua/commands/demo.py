"""``motcua demo``: the portal on the embedded database with demo data, and ``motcua demo generate``:
synthetic activity for the 34 provinces at any scale."""

from __future__ import annotations

import os
import threading
from typing import Annotated

import typer

from motcua import clock

demo_app = typer.Typer(help="The demo portal and synthetic data.")


@demo_app.callback(invoke_without_command=True)
def demo(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Run the portal on the embedded database (in the data folder) with demo data, and print its address."""
    if ctx.invoked_subcommand is not None:
        return
    # The demo is served over plain http on this machine: a Secure cookie would never come back; its
    # sandbox payments, development CA and generated keys are allowed because it is the demo.
    os.environ.setdefault("MOTCUA_SECURE_COOKIES", "0")
    os.environ["MOTCUA_MODE"] = "demo"
    os.environ.setdefault("MOTCUA_PUBLIC_URL", f"http://{host}:{port}")  # the links of its PDFs reach it
    from motcua.cli import serve
    from motcua.demo import prepare_demo
    from motcua.settings import get_settings

    typer.echo(f"data folder: {get_settings().data_dir} (MOTCUA_DATA_DIR)")
    summary = prepare_demo()
    typer.echo(summary)
    typer.echo(f"motcua demo: open http://{host}:{port}/  (API documentation: http://{host}:{port}/api/v1/docs)")
    # The background jobs (notifications through the sandbox, the day's supervision, seals) run beside
    # the portal, as `motcua worker` does in production.
    from motcua.commands.exchange import worker

    threading.Thread(
        target=worker, kwargs={"once": False, "interval": 1.0, "parallel": 2, "url": None}, daemon=True
    ).start()
    serve(host=host, port=port, workers=1)


@demo_app.command("generate")
def generate(
    dossiers: Annotated[int, typer.Option(min=1, help="How many dossiers to add.")],
    months: Annotated[int, typer.Option(min=1, max=120, help="Spread over the last M months (from 1 July 2025).")],
    seed: Annotated[int, typer.Option(help="Random seed (the same seed gives the same data).")] = 2025,
    batch: Annotated[int, typer.Option(min=100, help="Dossiers per batch (one transaction each).")] = 10_000,
    profile: Annotated[str | None, typer.Option(help="TOML file of volumes and rates (default: shipped).")] = None,
    feedback: Annotated[
        int | None,
        typer.Option(min=0, help="Feedback messages to add (default: the feedback profile's rate per 1,000 dossiers)."),
    ] = None,
    feedback_profile: Annotated[
        str | None, typer.Option(help="TOML file of the feedback's rates (default: shipped).")
    ] = None,
    url: Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")] = None,
) -> None:
    """Add synthetic activity for all 34 provinces (volumes by population, channel mixes, late rates,
    supplements, payments, ratings) and feedback in proportion, streamed in batches (COPY on
    PostgreSQL), then rebuild the facts."""
    from tqdm import tqdm

    from motcua import db
    from motcua.demo import prepare_demo
    from motcua.dossiers.synthetic import generate_activity, load_profile, rebuild_dossier_facts
    from motcua.feedback.synthetic import generate_feedback
    from motcua.feedback.synthetic import load_profile as load_feedback_profile

    typer.echo(prepare_demo(url, dossiers=0))
    engine = db.make_engine(url)
    with tqdm(total=dossiers, unit=" dossiers", unit_scale=True, smoothing=0.05) as bar:
        report = generate_activity(
            engine,
            dossiers,
            months,
            clock.now(),
            seed=seed,
            batch_size=batch,
            profile=load_profile(profile),
            progress=bar.update,
            rebuild_facts=False,
        )
    rates = load_feedback_profile(feedback_profile)
    messages = round(dossiers * float(rates["per_1000_dossiers"]) / 1000) if feedback is None else feedback
    with tqdm(total=messages, unit=" messages", unit_scale=True, smoothing=0.05) as bar:
        heard = generate_feedback(engine, messages, months, clock.now(), seed, batch, rates, bar.update)
    facts_seconds = rebuild_dossier_facts(engine) + heard.facts_seconds
    states = ", ".join(f"{k} {v:,}" for k, v in report.by_status.most_common())
    typer.echo(
        f"{report.dossiers:,} dossiers, {report.events:,} events, {report.ratings:,} ratings, "
        f"{report.officials:,} officials in {report.seconds:.1f} s; {heard.messages:,} feedback messages, "
        f"{heard.events:,} events in {heard.seconds:.1f} s; fact tables rebuilt in {facts_seconds:.1f} s"
    )
    typer.echo(f"by status: {states}")
