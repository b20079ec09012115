import typer

app = typer.Typer(help="Greetings from the acme_hello plugin.")


@app.command()
def greet(name: str = typer.Argument("world")) -> None:
    """Print a greeting."""
    typer.echo(f"hello, {name}")
