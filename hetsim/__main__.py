from hetsim.cli import app

app(prog_name="hetsim")
