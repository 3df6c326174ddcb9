from pathlib import Path

import pytest

from kiosk.config import DEFAULT_LAYOUT, ConfigError, load_settings
from kiosk.layout import load_layout, parse_layout


def write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_file_environment_then_flags(tmp_path: Path) -> None:
    cfg = write(
        tmp_path,
        '[kiosk]\nid = "lantai4"\nlocation = "PAV"\nrepeat_window_minutes = 45\n'
        '[database]\nurl = "sqlite:///x.db"\n[layout]\nfile = "my-layout.toml"\n',
    )
    s = load_settings(cfg, environ={"KIOSK_REPEAT_WINDOW": "10", "KIOSK_LANGUAGE": "en"})
    assert (s.kiosk_id, s.location, s.repeat_window_minutes, s.language) == (
        "lantai4",
        "PAV",
        10,
        "en",
    )
    assert s.layout_file == tmp_path / "my-layout.toml"  # relative to the config file
    s = load_settings(cfg, overrides={"db_url": "sqlite:///y.db"}, environ={})
    assert s.database_url == "sqlite:///y.db"


def test_config_from_environment_variable(tmp_path: Path) -> None:
    cfg = write(tmp_path, '[library]\nname = "Perpustakaan Kelurahan Taba"\n')
    assert load_settings(environ={"KIOSK_CONFIG": str(cfg)}).library_name.endswith("Taba")


@pytest.mark.parametrize(
    ("text", "key", "problem"),
    [
        ('[kiosk]\nrepeat_window_minutes = "soon"\n', "kiosk.repeat_window_minutes", "whole"),
        ("[kiosk]\nlanguage = 'fr'\n", "kiosk.language", "one of id, en"),
        ("[kiosk]\nlegacy_barcodes = 3\n", "kiosk.legacy_barcodes", "true or false"),
        ("[kiosk]\nlocaton = 'PAV'\n", "kiosk.locaton", "unknown setting"),
        ("[survey]\nchance = 2\n", "survey.chance", "0 to 1"),
        ("kiosk = 1\n", "kiosk", "section"),
        ("[kiosk\n", "(file)", "not valid TOML"),
    ],
)
def test_bad_config_names_file_key_and_problem(
    tmp_path: Path, text: str, key: str, problem: str
) -> None:
    cfg = write(tmp_path, text)
    with pytest.raises(ConfigError) as e:
        load_settings(cfg, environ={})
    message = str(e.value)
    assert str(cfg) in message and key in message and problem in message


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="KIOSK_IDLE_SECONDS"):
        load_settings(environ={"KIOSK_IDLE_SECONDS": "0"})


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_settings(tmp_path / "nope.toml", environ={})


def test_shipped_layout_has_the_central_librarys_five_rooms() -> None:
    site = load_layout(DEFAULT_LAYOUT).site("PUSAT")
    assert site.name == "Perpustakaan Umum Kota Lubuklinggau"
    assert {r.code for r in site.rooms} == {"REF", "KOL", "BACA", "PAV", "ANAK"}
    assert site.room("PAV").floor == 4
    # the rooms with a capacity (the dashboard's live occupancy), the others without
    capacities = {r.code: (r.capacity, r.stay_minutes) for r in site.rooms if r.capacity}
    assert capacities == {"ANAK": (40, 45), "PAV": (30, 90)}


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({}, "site"),
        ({"site": [{"code": "X", "name": "X", "floor": []}]}, "site[0].floor"),
        ({"site": [{"code": "x y", "name": "X", "floor": []}]}, "site[0].code"),
        ({"site": [{"code": "X", "floor": []}]}, "site[0].name"),
        (
            {"site": [{"code": "X", "name": "X", "floor": [{"number": "2", "room": []}]}]},
            "site[0].floor[0].number",
        ),
        (
            {
                "site": [
                    {
                        "code": "X",
                        "name": "X",
                        "floor": [
                            {
                                "number": 1,
                                "room": [{"code": "A", "name": "A"}, {"code": "A", "name": "B"}],
                            }
                        ],
                    }
                ]
            },
            "site[0].floor[0].room[1].code",
        ),
    ],
)
def test_bad_layouts_name_the_key(data: dict, key: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_layout(data, "layout.toml")
    assert e.value.key == key and "layout.toml" in str(e.value)


ROOM = {"code": "A", "name": "A"}


@pytest.mark.parametrize(
    ("floors", "key"),
    [
        ([1], "site[0].floor[0]"),
        ([{"number": 1, "room": [3]}], "site[0].floor[0].room[0]"),
        ([{"number": 1, "room": [{**ROOM, "nmae_en": "x"}]}], "site[0].floor[0].room[0].nmae_en"),
        ([{"number": 1, "room": [{"code": "A", "name": " "}]}], "site[0].floor[0].room[0].name"),
        (
            [{"number": 1, "room": [ROOM]}, {"number": 1, "room": [{"code": "B", "name": "B"}]}],
            "site[0].floor[1].number",
        ),
    ],
)
def test_layout_entries_are_checked(floors: list, key: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_layout({"site": [{"code": "X", "name": "X", "floor": floors}]}, "layout.toml")
    assert e.value.key == key


def _one_room(**keys: object) -> dict:
    room = {"code": "ANAK", "name": "Ruang Edukasi Anak", **keys}
    return {"site": [{"code": "X", "name": "X", "floor": [{"number": 1, "room": [room]}]}]}


def test_a_room_may_have_a_capacity_and_a_typical_stay() -> None:
    room = parse_layout(_one_room(capacity=40, stay_minutes=45)).site("X").room("ANAK")
    assert room and (room.capacity, room.stay_minutes) == (40, 45)
    room = parse_layout(_one_room()).site("X").room("ANAK")
    assert room and (room.capacity, room.stay_minutes) == (None, None)


WHERE = "site[0].floor[0].room[0]"


@pytest.mark.parametrize(
    ("keys", "key", "problem"),
    [
        ({"capacity": 0, "stay_minutes": 45}, "capacity", "from 1 to"),
        ({"capacity": -5, "stay_minutes": 45}, "capacity", "from 1 to"),
        ({"capacity": 40, "stay_minutes": 0}, "stay_minutes", "from 1 to 720"),
        ({"capacity": 40, "stay_minutes": 6000}, "stay_minutes", "from 1 to 720"),
        ({"capacity": "40", "stay_minutes": 45}, "capacity", "must be int"),
        ({"capacity": 40.5, "stay_minutes": 45}, "capacity", "must be int"),
        ({"capacity": True, "stay_minutes": 45}, "capacity", "must be int"),
        ({"capacity": 40}, "stay_minutes", "go together"),
        ({"stay_minutes": 45}, "capacity", "go together"),
        ({"capacity": 40, "stay_minute": 45}, "stay_minute", "unknown key"),
    ],
)
def test_bad_capacities_name_the_key(keys: dict, key: str, problem: str) -> None:
    with pytest.raises(ConfigError) as e:
        parse_layout(_one_room(**keys), "layout.toml")
    assert e.value.key == f"{WHERE}.{key}" and problem in e.value.problem


def test_unknown_site_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="PUSAT"):
        load_layout(DEFAULT_LAYOUT).site("NOWHERE")
