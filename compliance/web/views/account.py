"""Signing in and out, accepting an invitation, resetting a password, and the signed-in home page."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from compliance import store
from compliance.core.membership import shown
from compliance.core.returns import EDITABLE
from compliance.services import accounts, accreditations, cycle_returns, queries
from compliance.services import plan as plan_service
from compliance.services.passwords import password_problem
from compliance.services.returns import load_return
from compliance.web.access import User, public, safe_next, signed_in
from compliance.web.forms import ConfirmForm, ForgotPasswordForm, SetPasswordForm, SignInForm
from compliance.web.requests import (
    NO_LINKS,
    accreditation_schemes,
    external_url,
    get_db,
    links_can_be_emailed,
    now,
    today,
)
from compliance.web.views.plan import WORDS as PLAN_WORDS

bp = Blueprint("account", __name__)




@bp.route("/sign-in", methods=["GET", "POST"])
@public
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        outcome = accounts.attempt_sign_in(get_db(), email=form.email.data, password=form.password.data,
                                           address=request.remote_addr or "", now=now())
        if outcome.user:
            kept = session.get("kept_form")  # typing kept from a session that had ended, to give back
            session.clear()  # a new session at sign-in: nothing from before it carries over
            login_user(User(outcome.user, outcome.session_key))
            found = store.kept_form(get_db(), kept, outcome.user["id"]) if isinstance(kept, str) else None
            if found and safe_next(found["path"]):
                return redirect(f"{found['path']}?restore={kept}")
            return redirect(safe_next(request.args.get("next")) or url_for("account.home"))
        form.password.errors.append(outcome.problem)
    return render_template("account/sign_in.html", form=form), 429 if _throttled(form) else 200


def _throttled(form) -> bool:
    return any("too many times" in error for error in form.password.errors)


@bp.post("/sign-out")
@signed_in
def sign_out():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    accounts.sign_out(get_db(), current_user.row, current_user.session_key, address=request.remote_addr or "",
                      now=now())
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("account.sign_in"))


@bp.get("/account")
@signed_in
def account():
    return render_template("account/account.html", person=current_user.row, confirm=ConfirmForm())


@bp.post("/account/sign-out-elsewhere")
@signed_in
def sign_out_elsewhere():
    if not ConfirmForm().validate_on_submit():
        abort(400)
    ended = accounts.sign_out_elsewhere(get_db(), current_user.row, current_user.session_key,
                                        address=request.remote_addr or "", now=now())
    flash("You are now signed out everywhere else. You are still signed in here" if ended
          else "You were not signed in anywhere else")
    return redirect(url_for("account.account"))


@bp.post("/session/keep-alive")
@signed_in
def keep_alive():
    """Typing on a page counts as activity: the page calls this so that a long answer is never lost to the timeout."""
    return "", 204


@bp.get("/home")
@signed_in
def home():
    database = get_db()
    own = [shown(r) for r in store.returns_for_organisation(database, current_user.organisation_id)
           ] if current_user.organisation_id else []
    work = cycle_returns.coordinator_work(database, today=today()) if current_user.can("manage_partnership") else None
    return render_template("account/home.html", own_returns=own, work=work, to_sign=_ready_to_sign(database, own),
                           open_queries=queries.open_queries(database, organisation_id=current_user.organisation_id,
                                                             everywhere=current_user.can("verify_evidence")),
                           show_cycle=True,
                           cycles=store.cycles(database) if current_user.can("view_partnership") else [],
                           accreditations=accreditations.listed(database, current_user.organisation_id,
                                                                accreditation_schemes(), today=today())
                           if current_user.organisation_id else [],
                           plan_work=plan_service.lead_work(database, current_user.id), today=today(),
                           **PLAN_WORDS)


def _ready_to_sign(database, own: list[dict]) -> list[dict]:
    """For a signatory: the organisation's open returns whose every answer is complete, waiting to be signed."""
    if not current_user.can("sign_return"):
        return []
    ready = []
    for ret in own:
        if ret["cycle_status"] == "open" and ret["status"] in EDITABLE and not ret.get("withdrawn_at"):
            context = load_return(database, ret["id"])
            if context is not None and context.editable and not context.problems():
                ready.append(ret)
    return ready


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    return _password_page(token, "invite", "account/set_password.html")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    return _password_page(token, "reset", "account/reset_password.html")


def _password_page(token: str, purpose: str, template: str):
    database = get_db()
    person = accounts.person_for_link(database, token, purpose, now=now())
    if person is None:
        return render_template("account/link_expired.html", purpose=purpose), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        problem = password_problem(form.password.data, user_inputs=(person["email"], person["name"]))
        if problem:
            form.password.errors.append(problem)
        elif accounts.complete_link(database, token, purpose, password=form.password.data,
                                    address=request.remote_addr or "", now=now()):
            flash("Your password is saved. Sign in with your email address and new password.")
            return redirect(url_for("account.sign_in"))
    return render_template(template, form=form, person=person)


@bp.route("/forgot-password", methods=["GET", "POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if not links_can_be_emailed():
        current_app.logger.error("a password reset was asked for, but %s", NO_LINKS)
        return render_template("account/forgot_password.html", form=None)
    if form.validate_on_submit():
        accounts.request_reset(get_db(), email=form.email.data, address=request.remote_addr or "", now=now(),
                               settings=current_app.config, link=external_url)
        return redirect(url_for("account.reset_sent"))
    return render_template("account/forgot_password.html", form=form)


@bp.get("/forgot-password/sent")
@public
def reset_sent():
    return render_template("account/reset_sent.html")
