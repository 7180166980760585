#!/usr/bin/env bash
# Every benchmark in bench/, at quick sizes, on SQLite and on PostgreSQL at 127.0.0.1:5432:
# handle_cost, sweep_cost, telegram_throughput, intake_burst, broadcast_rate, report_cost, then classify_accuracy and
# duplicates_precision.
# A script added to bench/ needs its line here, with arguments that keep it quick.
# `N=2000 bash bench/run_all.sh` measures handle_cost at its full default size.
set -euo pipefail
cd "$(dirname "$0")/.."

N="${N:-300}"
for database in sqlite postgresql; do
    .venv/bin/python bench/handle_cost.py --n "$N" --database "$database"
    .venv/bin/python bench/sweep_cost.py --sizes 10000,100000 --database "$database"
    .venv/bin/python bench/telegram_throughput.py --database "$database"
    .venv/bin/python bench/intake_burst.py --database "$database"
    .venv/bin/python bench/broadcast_rate.py --sizes 1000 --database "$database"
    .venv/bin/python bench/report_cost.py --sizes 10000,100000 --database "$database"
done
.venv/bin/python bench/classify_accuracy.py
.venv/bin/python bench/duplicates_precision.py
