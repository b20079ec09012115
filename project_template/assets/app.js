// Scripts for __NAME__: built into static/dist/ by `wolfpy assets build`.
