def get(request):
    return {"message": "Hello, World!"}
