"""controle_ponto raw inputs, written by `bi-dash ingest afd|employees|schedules`."""

import dagster as dg

RAW_TABLES = {
    "employees": "Employee registry (employees CSV and AFD type-5 records).",
    "work_schedules": "Expected intervals per schedule and weekday (schedules CSV).",
    "afd_punches": "Punches from AFD files (types 3 and 7) with file, line, REP number and NSR.",
}


def raw_assets() -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            key=["raw", table],
            description=description,
            group_name="controle_ponto",
            kinds={"postgres"},
            metadata={"layer": "raw", "domain": "controle_ponto"},
        )
        for table, description in RAW_TABLES.items()
    ]
