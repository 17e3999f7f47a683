"""Playlist parsing: every real fixture in ../shared/fixtures/twitch, plus variant selection."""

from __future__ import annotations

from pathlib import Path

import pytest

from vodstream.sources.hls import (
    PlaylistError,
    Variant,
    is_master,
    parse_attributes,
    parse_master,
    parse_media,
    select_variant,
)

BASE = "https://cdn.example.net/abc_streamer_1_2/chunked/index-dvr.m3u8"


def _master(fixtures: Path, name: str):
    return parse_master((fixtures / name).read_text(), "https://usher.example.net/vod/1.m3u8")


def _media(fixtures: Path, name: str):
    return parse_media((fixtures / name).read_text(), BASE)


def test_attribute_list_keeps_quoted_commas() -> None:
    attrs = parse_attributes('#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1.4D401F,mp4a.40.2",IVS-NAME="480p"')
    assert attrs == {"BANDWIDTH": "1", "CODECS": "avc1.4D401F,mp4a.40.2", "IVS-NAME": "480p"}


def test_v1_master_1440p_source(twitch_fixtures: Path) -> None:
    m = _master(twitch_fixtures, "usher_v1_master_vod_h264_1440p30.m3u8")
    assert m.usher_version == 1
    assert [v.name for v in m.variants] == ["chunked", "720p30", "480p30", "audio_only", "360p30", "160p30"]
    src = m.variants[0]
    assert (src.source, src.label, src.resolution, src.fps, src.quality) == (
        True,
        "1440p",
        (2560, 1440),
        30.0,
        "1440p30",
    )
    assert src.url.endswith("/899085d30a9339109158_pajlada_43465171160_1735466631/chunked/index-dvr.m3u8")
    audio = m.variants[3]
    assert audio.audio_only and not audio.source and audio.resolution is None
    assert m.twitch_info["CLUSTER"] == "cloudfront_vod"
    assert select_variant(m.variants, "best") is src
    assert select_variant(m.variants, "source") is src
    assert select_variant(m.variants, "720p").name == "720p30"
    assert select_variant(m.variants, "480p30").name == "480p30"
    assert select_variant(m.variants, "worst").name == "160p30"
    assert select_variant(m.variants, "audio_only") is audio


def test_v1_master_with_session_data(twitch_fixtures: Path) -> None:
    m = _master(twitch_fixtures, "usher_v1_master_vod_anonymized.m3u8")
    assert m.usher_version == 1
    assert [(u.name, u.group_id, u.reasons) for u in m.unavailable] == [
        ("1440p60", "chunked", ("AUTHZ_NOT_LOGGED_IN",)),
        ("Audio Only", "audio_only", ("FR_AUDIO_DISALLOWED",)),
    ]
    assert select_variant(m.variants, "best").quality == "1080p60"
    assert select_variant(m.variants, "720p60").resolution == (1280, 720)


def test_v1_master_geo_withheld_source_picks_best_visible(twitch_fixtures: Path) -> None:
    m = _master(twitch_fixtures, "usher_v1_master_vod_muted_sessiondata_geo.m3u8")
    assert not any(v.source for v in m.variants)
    assert m.unavailable[0].reasons == ("AUTHZ_GEO",)
    best = select_variant(m.variants, "best")
    assert best.name == "1080p60" and best.url.endswith("/1080p60/index-muted-HUY0TTDBI8.m3u8")
    with pytest.raises(PlaylistError, match="not available"):
        select_variant(m.variants, "source")


def test_v1_master_muted(twitch_fixtures: Path) -> None:
    m = _master(twitch_fixtures, "usher_v1_master_vod_muted.m3u8")
    assert all(v.url.endswith("index-muted-0T1A17C8FG.m3u8") for v in m.variants)
    assert not any(v.audio_only for v in m.variants)
    with pytest.raises(PlaylistError, match="quality 'audio_only' is not available"):
        select_variant(m.variants, "audio_only")


def test_v2_master(twitch_fixtures: Path) -> None:
    m = _master(twitch_fixtures, "usher_v2_master_vod.m3u8")
    assert m.usher_version == 2
    src = [v for v in m.variants if v.source]
    assert len(src) == 1 and src[0].name == "1080p60" and "/chunked/" in src[0].url
    audio = next(v for v in m.variants if v.audio_only)
    assert audio.label == "Audio Only" and not audio.source  # IVS-VARIANT-SOURCE="source" but audio
    assert select_variant(m.variants, "chunked") is src[0]
    assert select_variant(m.variants, "480p").label == "480p"
    assert len(m.unavailable) == 2


def test_v2_live_multivariant_and_typo_url(twitch_fixtures: Path) -> None:
    m = _master(twitch_fixtures, "streamlink_test_multivariant_twitch_usher_v2_live.m3u8")
    assert m.usher_version == 2
    assert select_variant(m.variants, "best").name == "1080p60"
    assert select_variant(m.variants, "480p30").url == "https://mocked/480p,m3u8"


def test_2022_master_source_name_and_relative_uris(twitch_fixtures: Path) -> None:
    m = parse_master(
        (twitch_fixtures / "streamlink_test_master_twitch_vod_2022.m3u8").read_text(),
        "https://host.example/vod/1/master.m3u8",
    )
    assert m.variants[0].label == "Source" and m.variants[0].source
    assert m.variants[0].url == "https://host.example/vod/1/source.m3u8"
    assert select_variant(m.variants, "720p60").quality == "720p60"  # fps from the group id
    assert select_variant(m.variants, "720p").name == "720p60"  # highest fps at that height


def test_media_ts_complete(twitch_fixtures: Path) -> None:
    pl = _media(twitch_fixtures, "media_vod_ts_index-dvr.m3u8")
    assert len(pl.segments) == 50 and pl.ended and pl.target_duration == 10
    assert pl.total_seconds == 500.0 and pl.air_date == "2023-09-23T17:37:06"
    s = pl.segments[7]
    assert (s.index, s.start, s.duration, s.muted, s.init_url) == (7, 70.0, 10.0, False, None)
    assert s.url == "https://cdn.example.net/abc_streamer_1_2/chunked/7.ts"
    assert pl.duration == 500.0


def test_media_fmp4_with_init(twitch_fixtures: Path) -> None:
    pl = _media(twitch_fixtures, "media_vod_fmp4_index-dvr.m3u8")
    assert len(pl.segments) == 114 and pl.version == 6
    init = "https://cdn.example.net/abc_streamer_1_2/chunked/init-0.mp4"
    assert pl.init_url == init and all(s.init_url == init for s in pl.segments)
    last = pl.segments[-1]
    assert last.url.endswith("/113.mp4") and last.duration == 7.134 and last.start == 1130.0
    assert pl.duration == pytest.approx(1137.134)


def test_media_ts_muted_excerpt(twitch_fixtures: Path) -> None:
    pl = _media(twitch_fixtures, "media_vod_ts_muted_excerpt.m3u8")
    assert [s.muted for s in pl.segments] == [False, False, True, True]
    assert pl.segments[2].url.endswith("/1945-muted.ts") and pl.segments[2].start == 20.0
    assert not pl.ended  # truncated upstream: no ENDLIST


def test_media_fmp4_muted_excerpt(twitch_fixtures: Path) -> None:
    pl = _media(twitch_fixtures, "media_vod_fmp4_muted_excerpt.m3u8")
    assert [(s.muted, s.url.rsplit("/", 1)[1]) for s in pl.segments] == [
        (True, "0-muted.mp4"),
        (True, "1-muted.mp4"),
    ]
    assert pl.segments[0].init_url.endswith("/init-0.mp4")


def test_media_legacy_2016_discontinuity_and_query_strings(twitch_fixtures: Path) -> None:
    pl = _media(twitch_fixtures, "media_vod_legacy_2016_transmux_discontinuity.m3u8")
    assert pl.target_duration == 6 and pl.ended
    assert [s.discontinuity for s in pl.segments] == [False, False, False, True]
    assert [s.duration for s in pl.segments] == [8.001, 8.003, 7.936, 8.001]
    assert pl.segments[3].start == pytest.approx(23.94)
    assert pl.segments[0].url.endswith("/transmux-0000000222-1alP.ts?start_offset=0&end_offset=257935")
    assert pl.total_seconds == 2296.76


def test_every_fixture_parses(twitch_fixtures: Path) -> None:
    names = sorted(p.name for p in twitch_fixtures.glob("*.m3u8"))
    assert len(names) == 12
    for name in names:
        text = (twitch_fixtures / name).read_text()
        if is_master(text):
            assert parse_master(text, "https://u.example/x.m3u8").variants, name
        else:
            assert parse_media(text, BASE).segments, name


def test_bad_playlists() -> None:
    with pytest.raises(PlaylistError, match="not an HLS playlist"):
        parse_media('{"error": "nope"}')
    with pytest.raises(PlaylistError, match="expected a media playlist"):
        parse_media("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\na.m3u8\n")
    with pytest.raises(PlaylistError, match="no variants"):
        parse_master("#EXTM3U\n#EXT-X-ENDLIST\n")
    with pytest.raises(PlaylistError, match="no variants"):
        select_variant([], "best")


def test_select_variant_without_source_or_fps() -> None:
    vs = [
        Variant(name="a", label="a", url="u1", resolution=(640, 360), bandwidth=1),
        Variant(name="b", label="b", url="u2", resolution=(1280, 720), bandwidth=2),
    ]
    assert select_variant(vs, "best").name == "b"
    assert select_variant(vs, "worst").name == "a"
    assert select_variant(vs, "720p30").name == "b"
    with pytest.raises(PlaylistError, match=r"this VOD has: a, b"):
        select_variant(vs, "1080p60")
