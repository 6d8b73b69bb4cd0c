"""The platform's service layer: what the commands do, one function per operation.

The CLI (`orchestration/cli.py`) parses arguments, calls one function here and prints its result; tests
call the same functions directly. Progress goes through :mod:`orchestration.service.progress`, which the
CLI points at the terminal.

- :mod:`.lifecycle`: start (`up`), stop (`down`), `reset`, migrate, the demo data
- :mod:`.refresh`: the checked refresh (skipped when nothing changed)
- :mod:`.status`: components, data freshness, schedules and sensors, disk, logs
- :mod:`.loads`: ingest input files; export the AEJ and the Espelho de Ponto
- :mod:`.accounts`: dashboard users and API tokens
"""
