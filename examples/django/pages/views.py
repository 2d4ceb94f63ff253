"""The example's one view: a page rendered from a template, with a form
posted back to it (Django checks its CSRF token)."""
from django.shortcuts import render


def home(request):
    name = request.POST.get('name', '').strip() if request.method == 'POST' else ''
    return render(request, 'pages/home.html', {
        'name': name,
        'server': request.META.get('SERVER_SOFTWARE', 'unknown'),
        'forwarded_for': request.META.get('HTTP_X_FORWARDED_FOR', ''),
    })
