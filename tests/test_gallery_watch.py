"""The bot says plainly when it stops seeing the gallery, once, and flags the doubtful captures."""

from __future__ import annotations

from bot.frames import Gallery, Tile
from bot.gallery_watch import LOW_CONFIDENCE_FLAG, NO_GALLERY, OK, TILE_DROP, GalleryWatch


def gallery(tiles: int, confidence: float = 1.0) -> Gallery:
    return Gallery(tiles=[Tile(box=(i * 10, 0, 10, 10), row=0, col=i) for i in range(tiles)], confidence=confidence)


def test_a_steady_gallery_is_never_flagged():
    watch = GalleryWatch()
    checks = [watch.observe(gallery(n)) for n in (12, 12, 11, 12, 13, 12)]
    assert all(c.flag == OK and c.message is None for c in checks)


def test_a_sharp_drop_is_flagged_and_said_once_then_the_recovery():
    watch = GalleryWatch()
    for _ in range(5):
        watch.observe(gallery(20))
    drop = [watch.observe(gallery(3)) for _ in range(3)]
    assert [c.flag for c in drop] == [TILE_DROP] * 3
    assert "3 tiles where I saw 20" in drop[0].message
    assert drop[1].message is None and drop[2].message is None  # said once
    back = watch.observe(gallery(19))
    assert back.flag == OK and "again" in back.message


def test_no_gallery_for_several_captures_asks_about_gallery_view():
    watch = GalleryWatch()
    checks = [watch.observe(gallery(0)) for _ in range(4)]
    assert all(c.doubtful for c in checks)
    assert [c.message is not None for c in checks] == [False, False, True, False]
    assert checks[2].flag == NO_GALLERY and "gallery view" in checks[2].message


def test_an_unsure_split_is_flagged():
    watch = GalleryWatch()
    check = watch.observe(gallery(9, confidence=0.4))
    assert check.flag == LOW_CONFIDENCE_FLAG and "0.40" in check.message


def test_captures_the_bot_could_not_see_do_not_count_students_absent(db):
    """Ten captures, five seconds apart; for four of them the gallery was gone (flagged no_gallery): a student
    seen on the other six was there the whole time the bot could see."""
    from datetime import UTC, datetime, timedelta

    from analytics.queries import attendance
    from analytics.store import ObservationIn, Store

    store = Store(db)
    start = datetime(2024, 3, 4, 9, 0, tzinfo=UTC)
    sid = store.start_session("Physics 101", started_at=start, interval_s=5)
    seen = ObservationIn(name="Ada Lovelace", face_found=False, tile_box=(0, 0, 320, 180))
    for k in range(10):
        blind = 3 <= k < 7
        store.record_capture(
            sid,
            start + timedelta(seconds=5 * k),
            [] if blind else [seen],
            tiles=0 if blind else 1,
            faces=0,
            names=0 if blind else 1,
            split_confidence=0.0 if blind else 1.0,
            gallery_flag=NO_GALLERY if blind else None,
        )
    store.finish_session(sid, ended_at=start + timedelta(seconds=50))
    with db.session() as session:
        (row,) = attendance(session, session_id=sid)
    assert row.minutes_present == 0.5  # six captures of five seconds
    assert row.share == 1.0  # not 60 %: the bot was blind for the other 20 s
