"""Chat rules: who may post, how much, what goes out, and the host's moderation."""

import pytest
from django.core.cache import cache

from livestream import broadcast, chat
from livestream.models import Comment, Mute

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sent(monkeypatch, settings):
    cache.clear()
    settings.LIVE_CHAT_RATE = 2
    settings.LIVE_CHAT_WINDOW_SECONDS = 60
    messages = []
    monkeypatch.setattr(broadcast, "_send", lambda group, payload: messages.append((group, payload)))
    yield messages
    cache.clear()


@pytest.fixture
def viewer(django_user_model):
    return django_user_model.objects.create_user("xiaoming", "xm@example.com", "pw-for-tests-only")


def test_comment_is_stored_and_broadcast_escaped_when_posted(on_air, viewer, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        comment = chat.comment_post(session=on_air, user=viewer, body=" <i>鲜</i> ")

    assert comment.body == "<i>鲜</i>" and comment.author_name == "xiaoming"
    group, payload = sent[-1]
    assert group == broadcast.room_group(on_air.pk)
    assert payload["type"] == "comment"
    assert payload["comment"]["body"] == "&lt;i&gt;鲜&lt;/i&gt;"


def test_author_is_the_first_name_when_the_user_gave_one(on_air, django_user_model):
    user = django_user_model.objects.create_user("u1", "u1@example.com", "pw-for-tests-only", first_name="小红")

    assert chat.comment_post(session=on_air, user=user, body="hi").author_name == "小红"


@pytest.mark.parametrize("body", ["", "   ", "x" * 201])
def test_comment_is_refused_when_empty_or_too_long(on_air, viewer, body):
    with pytest.raises(chat.ChatError) as error:
        chat.comment_post(session=on_air, user=viewer, body=body)

    assert error.value.code == "invalid"
    assert not Comment.objects.exists()


def test_comment_of_200_characters_is_accepted(on_air, viewer):
    assert len(chat.comment_post(session=on_air, user=viewer, body="长" * 200).body) == 200


def test_comment_is_refused_when_the_rate_is_exceeded(on_air, viewer, django_user_model):
    chat.comment_post(session=on_air, user=viewer, body="1")
    chat.comment_post(session=on_air, user=viewer, body="2")

    with pytest.raises(chat.ChatError) as error:
        chat.comment_post(session=on_air, user=viewer, body="3")

    assert error.value.code == "rate_limited"
    # another viewer has a rate of their own
    other = django_user_model.objects.create_user("other", "o@example.com", "pw-for-tests-only")
    chat.comment_post(session=on_air, user=other, body="mine")


def test_comment_is_refused_when_muted_or_anonymous_or_ended(on_air, viewer, host_user):
    from django.contrib.auth.models import AnonymousUser

    from livestream import sessions

    chat.viewer_mute(session=on_air, user_id=viewer.pk, actor=host_user)
    with pytest.raises(chat.ChatError) as muted:
        chat.comment_post(session=on_air, user=viewer, body="hi")
    with pytest.raises(chat.ChatError) as anonymous:
        chat.comment_post(session=on_air, user=AnonymousUser(), body="hi")
    sessions.session_end(session=on_air)
    on_air.refresh_from_db()
    with pytest.raises(chat.ChatError) as ended:
        chat.comment_post(session=on_air, user=host_user, body="hi")

    assert (muted.value.code, anonymous.value.code, ended.value.code) == ("muted", "login_required", "ended")


def test_mute_is_kept_once_when_the_host_mutes_twice(on_air, viewer, host_user):
    chat.viewer_mute(session=on_air, user_id=viewer.pk, actor=host_user)
    chat.viewer_mute(session=on_air, user_id=viewer.pk, actor=host_user)

    assert Mute.objects.filter(session=on_air, user=viewer).count() == 1


def test_mute_is_refused_when_the_actor_is_not_the_host(on_air, viewer):
    with pytest.raises(chat.ChatError) as error:
        chat.viewer_mute(session=on_air, user_id=viewer.pk, actor=viewer)

    assert error.value.code in ("forbidden", "invalid")
    assert not Mute.objects.exists()


def test_removed_comment_is_kept_hidden_and_broadcast_once(on_air, viewer, host_user, sent, django_capture_on_commit_callbacks):
    comment = chat.comment_post(session=on_air, user=viewer, body="spam")
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        chat.comment_remove(session=on_air, comment_id=comment.pk, actor=host_user)
        chat.comment_remove(session=on_air, comment_id=comment.pk, actor=host_user)

    assert [p for _, p in sent] == [{"type": "comment_removed", "comment_id": comment.pk}]
    assert Comment.objects.get(pk=comment.pk).removed_by == host_user
    assert chat.comments_recent(on_air) == []


def test_recent_comments_are_the_last_fifty_oldest_first(on_air):
    for n in range(55):
        Comment.objects.create(session=on_air, author_name="a", body=str(n))

    recent = chat.comments_recent(on_air)

    assert [c.body for c in recent] == [str(n) for n in range(5, 55)]
