"""``wolfpy greeter say NAME`` and ``wolfpy greeter visits``, in a project that enables the plugin."""
import typer

app = typer.Typer(help="Greetings from the wolfpy-hello plugin.", no_args_is_help=True)


@app.command()
def say(name: str = typer.Argument("world")) -> None:
    """Print the project's greeting for NAME."""
    import wolfpy
    typer.echo(f"{wolfpy.load().settings.greeter.greeting}, {name}!")


@app.command()
def visits() -> None:
    """List the names greeted so far, with their visits."""
    import wolfpy
    app = wolfpy.load()
    app.bind_models()
    from wolfpy_hello.models import Greeting
    for row in Greeting.select().order_by(Greeting.name):
        typer.echo(f"{row.name}: {row.visits}")
