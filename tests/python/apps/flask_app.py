"""A small Flask app (Debian's python3-flask): a page, JSON, a form."""
from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route('/')
def index():
    return 'Hello from Flask'


@app.route('/json')
def as_json():
    return jsonify(method=request.method, args=request.args.to_dict())


@app.route('/form', methods=['POST'])
def form():
    return 'name=%s' % request.form.get('name', '')
