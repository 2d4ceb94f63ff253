"""The example's one view: a page rendered from a template, with a form
posted back to it (Django checks its CSRF token)."""
import os

from django.shortcuts import render


def home(request):
    name = request.POST.get('name', '').strip() if request.method == 'POST' else ''
    return render(request, 'pages/home.html', {
        'name': name,
        'server': request.META.get('SERVER_SOFTWARE', 'unknown'),
        'forwarded_for': request.META.get('HTTP_X_FORWARDED_FOR', ''),
        # The page's own journey (as the C++ lifecycle site's home page):
        # which worker made it, and what the app received from the proxy.
        'pid': os.getpid(),
        'host': request.META.get('HTTP_HOST', ''),
        'remote_addr': request.META.get('REMOTE_ADDR', ''),
        'scheme': request.META.get('wsgi.url_scheme', ''),
    })
