"""What gunicorn serves: `gunicorn 'qms.wsgi:app'`. The application, and, once per start, the
temporary files of writes a crash interrupted removed in the background (qms.files.leftovers)."""

from qms import create_app
from qms.files.leftovers import tidy_at_start

app = create_app()
tidying = tidy_at_start(app)
