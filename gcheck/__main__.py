from gcheck.cli import run

run()
