"""The citizens' feedback box (hòm thư góp ý): a public page per commune where anyone sends feedback,
a complaint or a compliment and gets a reference to quote, and the quality officer's triage into a
nonconformity (through the nonconformities' one way in) or a reasoned closing."""


def init_app(app):
    from qms.feedback import home, labels  # noqa: F401  (home section, labels)
    from qms.feedback.views import bp

    app.register_blueprint(bp)
