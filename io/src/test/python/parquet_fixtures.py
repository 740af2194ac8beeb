"""Writes the Parquet fixtures of io's dataset reader, each with the same rows as JSON Lines beside it.

Run from the repository root with pyarrow (made with pyarrow 25.0.1):

    /work/torchvenv/bin/python io/src/test/python/parquet_fixtures.py

Output: io/src/test/resources/data/parquet/NAME.parquet and NAME.jsonl, plus bad/*.parquet (files the
reader must refuse). The rows are seeded, so a rerun with the same pyarrow writes the same bytes.

Each .jsonl holds pyarrow's own view of the table written, turned into JSON by the rules that
docs/training.md gives for Parquet rows (the Java reader must produce the same JSON):
temporal values as ISO-8601 text in java.time's toString forms, decimals as exact numbers, maps as
objects, UUIDs as text, nulls as null. The fixtures vary what a reader must handle: compression
(none, snappy, gzip, zstd, lz4 = LZ4_RAW), dictionary encoding on and off (and a dictionary that
overflows to plain mid-chunk), data pages v1 and v2, several row groups, several pages per column
chunk, the delta and byte-stream-split encodings, INT96 timestamps, and a column of each type.
"""

import datetime
import decimal
import json
import pathlib
import random
import re
import uuid

import pyarrow as pa
import pyarrow.parquet as pq

PYARROW = "25.0.1"
OUT = pathlib.Path(__file__).resolve().parents[1] / "resources" / "data" / "parquet"

MESSAGE = pa.struct([("role", pa.string()), ("content", pa.string())])
CONVERSATION = pa.list_(MESSAGE)
UTC_MICROS = pa.timestamp("us", tz="UTC")
EXTRAS = [
    ("id", pa.int64()),
    ("score", pa.float64()),
    ("flag", pa.bool_()),
    ("tags", pa.list_(pa.int32())),
    ("counts", pa.map_(pa.string(), pa.int32())),
    ("created", UTC_MICROS),
]
SYSTEM = {"role": "system", "content": "Answer with a number only."}


def extras(rng, i):
    """The unrelated columns: other types for the reader to carry along."""
    return {
        "id": i if i % 3 else 3_000_000_000 + i,  # some beyond the int range
        "score": round(rng.uniform(-2, 2), 6),
        "flag": None if i % 5 == 4 else i % 2 == 0,
        "tags": None if i % 6 == 5 else [] if i % 6 == 4 else [rng.randint(-9, 99), None if i % 4 == 0 else i, 7][: 1 + i % 3],
        "counts": None if i % 7 == 6 else {} if i % 7 == 5 else {"a": i, "b": None if i % 2 else -i},
        "created": datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
        + datetime.timedelta(days=i, seconds=rng.randint(0, 86_399), microseconds=rng.choice([0, 250_000, rng.randint(1, 999_999)])),
    }


def problem(rng):
    a, b = rng.randint(1, 99), rng.randint(1, 99)
    op = rng.choice(["+", "×"])
    return a, b, op, a + b if op == "+" else a * b


def preferences(rng, n):
    rows = []
    for _ in range(n):
        a, b, op, r = problem(rng)
        text = rng.choice(["What is {a} {op} {b}?", "Wie viel ist {a} {op} {b}? ✓", "Compute {a}{op}{b}."])
        rows.append({"prompt": text.format(a=a, b=b, op=op), "chosen": str(r), "rejected": str(r + rng.choice([-10, -1, 1, 2]))})
    return rows


def conversations(rng, n):
    """Explicit prompts, and every fifth row an implicit one (prompt null, the conversations share it)."""
    rows = []
    for i in range(n):
        a, b, op, r = problem(rng)
        prompt = ([SYSTEM] if i % 2 else []) + [{"role": "user", "content": f"What is {a} {op} {b}?"}]
        chosen = [{"role": "assistant", "content": str(r)}]
        rejected = [{"role": "assistant", "content": str(r + 1)}]
        if i % 5 == 4:
            rows.append({"prompt": None, "chosen": prompt + chosen, "rejected": prompt + rejected})
        else:
            rows.append({"prompt": prompt, "chosen": chosen, "rejected": rejected})
    return rows


def prompts(rng, n, answers):
    """Prompt rows with int64 answers, or string answers and conversational prompts; every fourth answer null."""
    rows = []
    for i in range(n):
        a, b, op, r = problem(rng)
        text = f"What is {a} {op} {b}? Put the answer in \\boxed{{}}."
        if answers == "text":
            row = {"prompt": [SYSTEM, {"role": "user", "content": text}], "answer": f"\\boxed{{{r}}}"}
        else:
            row = {"prompt": text, "answer": r}
        if i % 4 == 3:
            row["answer"] = None
        rows.append(row | extras(rng, i))
    return rows


def types(rng, n):
    """One column of each type the reader maps, with nulls, extremes and nesting."""
    rows = []
    for i in range(n):
        null = i % 5 == 4
        rows.append({
            "prompt": f"Row {i}: what is {i} + {i}?",
            "answer": str(2 * i),
            "i8": [-128, 127, 0, -1][i % 4],
            "i16": [-32768, 32767, 12, -7][i % 4],
            "u8": [0, 255, 17][i % 3],
            "u16": [0, 65535, 4321][i % 3],
            "u32": [0, 2**32 - 1, 2**31][i % 3],
            "u64": None if null else [0, 2**64 - 1, 2**63, 2**63 - 1][i % 4],
            "i64": [-(2**63), 2**63 - 1, 2**31, -(2**31) - 1, 5][i % 5],
            "f32": [0.1, -2.5, 3.4e38, 1e-30][i % 4],
            "f16": [0.1, -2.5, 65504.0, 6.1e-5][i % 4],
            "dec_i32": decimal.Decimal(rng.randint(-9_999_999, 9_999_999)).scaleb(-2),
            "dec_i64": decimal.Decimal(rng.randint(-(10**15) + 1, 10**15 - 1)).scaleb(-3),
            "dec_fixed": None if null else decimal.Decimal(rng.randint(-(10**30) + 1, 10**30 - 1)).scaleb(-4),
            "day": datetime.date(1969, 12, 31) + datetime.timedelta(days=rng.randint(-1000, 30000)),
            "t_ms": rng.randint(0, 86_399_999),
            "t_us": [0, 86_399_999_999, rng.randint(0, 86_399_999_999)][i % 3],
            "t_ns": [60_000_000_000, rng.randint(0, 86_399_999_999_999), 1][i % 3],
            "ts_local_ms": rng.randint(-(10**12), 4 * 10**12),
            "ts_utc_ns": [0, -1, rng.randint(-(10**18), 4 * 10**18), 1_700_000_000_000_000_000][i % 4],
            "uid": uuid.UUID(int=rng.getrandbits(128)).bytes,
            "doc": json.dumps({"k": i, "v": [1, None]}),
            "cat": ["red", "green", "blue"][i % 3],
            "nothing": None,
            "st": None if null else {"a": None if i % 3 == 0 else i, "b": ["x", None, "z"][: i % 4]},
            "ll": None if null else [[1, None], [], None, [i]][: i % 5],
            "mm": None if null else {"k": [i, None], "e": []},
            "steps": None if null else list(range(i % 4)),
            "points": None if null else [{"x": i, "y": "p"}, None, {"x": None, "y": None}][: i % 4],
        })
    return rows


TYPES = pa.schema([
    ("prompt", pa.string()),
    ("answer", pa.large_string()),
    ("i8", pa.int8()), ("i16", pa.int16()), ("u8", pa.uint8()), ("u16", pa.uint16()),
    ("u32", pa.uint32()), ("u64", pa.uint64()), ("i64", pa.int64()),
    ("f32", pa.float32()), ("f16", pa.float16()),
    ("dec_i32", pa.decimal128(7, 2)), ("dec_i64", pa.decimal128(15, 3)), ("dec_fixed", pa.decimal128(30, 4)),
    ("day", pa.date32()), ("t_ms", pa.time32("ms")), ("t_us", pa.time64("us")), ("t_ns", pa.time64("ns")),
    ("ts_local_ms", pa.timestamp("ms")), ("ts_utc_ns", pa.timestamp("ns", tz="UTC")),
    ("uid", pa.uuid()), ("doc", pa.json_()), ("cat", pa.dictionary(pa.int8(), pa.string())), ("nothing", pa.null()),
    ("st", pa.struct([("a", pa.int32()), ("b", pa.list_(pa.string()))])),
    ("ll", pa.list_(pa.list_(pa.int32()))),
    ("mm", pa.map_(pa.string(), pa.list_(pa.int32()))),
    # Required elements: the level structure of a legacy two-level list, which ParquetRowsTest rewrites it to.
    ("steps", pa.list_(pa.field("element", pa.int32(), nullable=False))),
    ("points", pa.list_(pa.struct([("x", pa.int32()), ("y", pa.string())]))),
])


def schema(*fields):
    return pa.schema(list(fields) + EXTRAS)


# name: (rows, schema, pq.write_table options). Names say what a file exercises; ParquetFileTest checks
# that each has it (codec, dict/plain, v1/v2, groups = several row groups, pages = several data pages).
def fixtures():
    rng = random.Random(20250611)
    prefs = pa.schema([("prompt", pa.string()), ("chosen", pa.string()), ("rejected", pa.string())])
    convs = pa.schema([("prompt", CONVERSATION), ("chosen", CONVERSATION), ("rejected", CONVERSATION)])
    small_pages = dict(data_page_size=96, write_batch_size=4)
    return {
        "preferences-none-dict-v1": (preferences(rng, 40), prefs, dict(compression="none")),
        "preferences-snappy-plain-v2-groups": (preferences(rng, 40), prefs,
                                               dict(compression="snappy", use_dictionary=False, data_page_version="2.0", row_group_size=8)),
        "conversations-gzip-dict-v1-groups-pages": (conversations(rng, 36), convs,
                                                    dict(compression="gzip", row_group_size=12, **small_pages)),
        "conversations-zstd-plain-v2-pages": (conversations(rng, 36), convs,
                                              dict(compression="zstd", use_dictionary=False, data_page_version="2.0", **small_pages)),
        # The dictionary limit makes some chunks switch from dictionary to plain pages part way.
        "prompts-lz4-dict-v1-groups-pages": (prompts(rng, 50, "int"), schema(("prompt", pa.string()), ("answer", pa.int64())),
                                             dict(compression="lz4", row_group_size=16, dictionary_pagesize_limit=128, **small_pages)),
        "prompts-zstd-dict-v2-groups": (prompts(rng, 30, "text"), schema(("prompt", CONVERSATION), ("answer", pa.string())),
                                        dict(compression="zstd", data_page_version="2.0", row_group_size=10)),
        "prompts-gzip-plain-v2-pages-delta": (prompts(rng, 40, "int"), schema(("prompt", pa.string()), ("answer", pa.int64())),
                                              dict(compression="gzip", use_dictionary=False, data_page_version="2.0",
                                                   column_encoding={"prompt": "DELTA_BYTE_ARRAY", "answer": "DELTA_BINARY_PACKED",
                                                                    "id": "DELTA_BINARY_PACKED", "score": "BYTE_STREAM_SPLIT"},
                                                   **small_pages)),
        "prompts-none-dict-v2-int96": (prompts(rng, 20, "int"), schema(("prompt", pa.string()), ("answer", pa.int64())),
                                       dict(compression="none", data_page_version="2.0", use_deprecated_int96_timestamps=True)),
        "prompts-snappy-dict-v1-types": (types(rng, 24), TYPES, dict(compression="snappy", store_decimal_as_integer=True)),
    }


def bad_fixtures():
    rng = random.Random(7)
    rows = preferences(rng, 6)
    prefs = pa.schema([("prompt", pa.string()), ("chosen", pa.string()), ("rejected", pa.string())])
    blobs = [r | {"blob": bytes([i, 0, 255])} for i, r in enumerate(rows)]
    return {
        "brotli": (rows, prefs, dict(compression="brotli")),
        "raw-bytes": (blobs, pa.schema(list(prefs) + [("blob", pa.binary())]), dict(compression="none")),
    }


def java_fraction(nanos):
    """java.time's fraction of a second: none, or 3, 6 or 9 digits, as few as hold it."""
    if nanos == 0:
        return ""
    if nanos % 1_000_000 == 0:
        return f".{nanos // 1_000_000:03d}"
    if nanos % 1_000 == 0:
        return f".{nanos // 1_000:06d}"
    return f".{nanos:09d}"


def java_local_time(nanos):
    """LocalTime.toString: HH:mm, then :ss and the fraction only when not zero."""
    seconds, fraction = divmod(nanos, 10**9)
    text = f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"
    return text + (f":{seconds % 60:02d}{java_fraction(fraction)}" if seconds % 60 or fraction else "")


def java_timestamp(epoch_nanos, utc):
    """Instant.toString (always seconds, Z) for UTC timestamps; LocalDateTime.toString for local ones."""
    days, nanos = divmod(epoch_nanos, 86_400 * 10**9)
    date = (datetime.date(1970, 1, 1) + datetime.timedelta(days=days)).isoformat()
    if not utc:
        return f"{date}T{java_local_time(nanos)}"
    seconds, fraction = divmod(nanos, 10**9)
    return f"{date}T{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}{java_fraction(fraction)}Z"


NANOS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}


def column_json(column):
    """A column's values as the reader's JSON values (decimals as a marker that json_lines makes a number)."""
    t = column.type
    if pa.types.is_timestamp(t):
        return [None if v is None else java_timestamp(v * NANOS[t.unit], t.tz is not None)
                for v in column.cast(pa.int64()).to_pylist()]
    if pa.types.is_time(t):
        return [None if v is None else java_local_time(v * NANOS[t.unit])
                for v in column.cast(pa.int32() if t.bit_width == 32 else pa.int64()).to_pylist()]
    if pa.types.is_date32(t):
        return [None if v is None else v.isoformat() for v in column.to_pylist()]
    if pa.types.is_decimal(t):
        return [None if v is None else f"@@decimal:{v}@@" for v in column.to_pylist()]
    if isinstance(t, pa.UuidType):
        return [None if v is None else str(v) for v in column.to_pylist()]
    if pa.types.is_map(t):  # pyarrow gives a map as a list of (key, value) pairs
        return [None if v is None else dict(v) for v in column.to_pylist()]
    return column.to_pylist()


def json_lines(table):
    columns = {name: column_json(table.column(name)) for name in table.column_names}
    lines = []
    for i in range(table.num_rows):
        line = json.dumps({name: values[i] for name, values in columns.items()}, ensure_ascii=False)
        lines.append(re.sub(r'"@@decimal:([-0-9.E+]+)@@"', r"\1", line))
    return "".join(line + "\n" for line in lines)


def main():
    if pa.__version__ != PYARROW:
        print(f"note: pyarrow {pa.__version__}, the committed files were made with {PYARROW}; bytes may differ")
    (OUT / "bad").mkdir(parents=True, exist_ok=True)
    for name, (rows, schema_, options) in fixtures().items():
        table = pa.Table.from_pylist(rows, schema=schema_)
        pq.write_table(table, OUT / f"{name}.parquet", **options)
        (OUT / f"{name}.jsonl").write_text(json_lines(table), encoding="utf-8")
    for name, (rows, schema_, options) in bad_fixtures().items():
        pq.write_table(pa.Table.from_pylist(rows, schema=schema_), OUT / "bad" / f"{name}.parquet", **options)
    for f in sorted(OUT.rglob("*.*")):
        print(f"{f.stat().st_size:7d}  {f.relative_to(OUT)}")


if __name__ == "__main__":
    main()
