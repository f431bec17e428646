"""People: the list, inviting someone, one person, changing their role, deactivating, resending an invitation."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from compliance import store
from compliance.services import accounts
from compliance.web.access import requires
from compliance.web.forms import ConfirmForm, InviteForm, PersonRoleForm
from compliance.web.requests import NO_LINKS, actor, external_url, get_db, links_can_be_emailed, now
from compliance.web.views.admin import bp, valid_submission


@bp.get("/people")
@requires("manage_partnership")
def people():
    return render_template("admin/people.html", people=store.users(get_db()))


@bp.route("/people/invite", methods=["GET", "POST"])
@requires("manage_partnership")
def invite():
    database = get_db()
    form = InviteForm(data={"organisation_id": request.args.get("organisation", "")})
    form.set_organisations(store.organisations(database, active=True))
    problem = None if links_can_be_emailed() else NO_LINKS
    if valid_submission(form, _email_is_free) and problem is None:
        user_id, outcome = accounts.invite_person(database, email=form.email.data, name=form.name.data,
                                         job_title=form.job_title.data or "", role=form.role.data,
                                         organisation_id=form.chosen_organisation, actor=actor(), now=now(),
                                         settings=current_app.config, link=external_url)
        flash(_sent(f"Invitation sent to {form.email.data}", outcome))
        return redirect(url_for(".person", user_id=user_id))
    refused = "No invitation was sent, because the service's web address is not set up: see below what to set"
    return render_template("admin/invite.html", form=form, problem=refused if problem and form.is_submitted() else None,
                           warning=problem)


def _email_is_free(form: InviteForm) -> bool:
    if not form.email.data or store.user_by_email(get_db(), form.email.data) is None:
        return True
    form.email.errors.append("There is already an account for that email address")
    return False


def _sent(message: str, outcome: str) -> str:
    """What the coordinator reads once an invitation has been written: sent, kept in the outbox, or waiting."""
    if outcome == "logged":
        return f"{message}. No mail server is set up, so the message and its link are in the outbox"
    if outcome in ("queued", "sending"):
        return (f"{message.replace(' sent ', ' written ', 1)}, but the mail server did not take it yet. It will be "
                "tried again automatically; the outbox shows when")
    return message


@bp.get("/people/<int:user_id>")
@requires("manage_partnership")
def person(user_id: int):
    return _person_page(store.user_by_id(get_db(), user_id) or abort(404))


def _person_page(found: dict, problem: str | None = None):
    return render_template("admin/person.html", person=found, confirm=ConfirmForm(), problem=problem,
                           yourself=found["id"] == current_user.id)


@bp.route("/people/<int:user_id>/role", methods=["GET", "POST"])
@requires("manage_partnership")
def person_role(user_id: int):
    database = get_db()
    found = store.user_by_id(database, user_id) or abort(404)
    form = PersonRoleForm(data={"role": found["role"], "organisation_id": str(found["organisation_id"] or "")})
    form.set_organisations([o for o in store.organisations(database)
                            if o["active"] or o["id"] == found["organisation_id"]])
    if form.validate_on_submit() and _not_yourself(form, found):
        changed = accounts.change_role(database, user_id, role=form.role.data,
                                       organisation_id=form.chosen_organisation, actor=actor(), now=now())
        flash(f"{found['name']}'s role has been changed" if changed else "You did not change anything")
        return redirect(url_for(".person", user_id=user_id))
    return render_template("admin/person_role.html", form=form, person=found)


def _not_yourself(form: PersonRoleForm, found: dict) -> bool:
    """Nobody changes their own role, so the partnership always keeps the admin who is signed in."""
    if found["id"] != current_user.id:
        return True
    form.role.errors.append("You cannot change your own role. Ask another partnership admin to change it")
    return False


@bp.post("/people/<int:user_id>/deactivate")
@requires("manage_partnership")
def deactivate_person(user_id: int):
    found = _confirmed(user_id)
    if found["id"] == current_user.id:
        return _person_page(found, "You cannot deactivate your own account. Ask another partnership admin to do it")
    accounts.set_active(get_db(), found["id"], False, actor=actor(), now=now())
    flash(f"{found['name']} has been deactivated and can no longer sign in")
    return redirect(url_for(".person", user_id=user_id))


@bp.post("/people/<int:user_id>/reactivate")
@requires("manage_partnership")
def reactivate_person(user_id: int):
    found = _confirmed(user_id)
    accounts.set_active(get_db(), found["id"], True, actor=actor(), now=now())
    flash(f"{found['name']} has been reactivated")
    return redirect(url_for(".person", user_id=user_id))


@bp.post("/people/<int:user_id>/resend-invitation")
@requires("manage_partnership")
def resend_invitation(user_id: int):
    found = _confirmed(user_id)
    if found["password_hash"] or not found["active"]:
        return _person_page(found, _cannot_invite(found))
    if not links_can_be_emailed():
        return _person_page(found, NO_LINKS)
    outcome = accounts.send_invitation(get_db(), user_id, actor=actor(), now=now(), settings=current_app.config,
                                       link=external_url)
    flash(_sent(f"Invitation sent again to {found['email']}. The earlier link no longer works", outcome))
    return redirect(url_for(".person", user_id=user_id))


def _cannot_invite(found: dict) -> str:
    if not found["active"]:
        return f"{found['name']}'s account is deactivated. Reactivate it before sending an invitation"
    return (f"{found['name']} has already accepted their invitation and created a password. "
            "If they have forgotten it, they can reset it from the sign-in page")


def _confirmed(user_id: int) -> dict:
    """The person a confirmed POST is about: 400 without a valid CSRF token, 404 for a missing person."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return store.user_by_id(get_db(), user_id) or abort(404)

