"""The documents the law asks a council to publish, generated from the case rather than typed
again (issue 9, part 4): the decision notice of a Cabinet decision, the record of an officer's
delegated decision, a draft contract change notice as an OCDS release, and the Transparency
Code contracts register.

Each is the rendering data only, read through the read scopes (``CaseScope``,
``AgreementScope``), so what is redacted is decided once, where every other answer decides it.
The HTML is the pages' (``api/templates/documents/``); ``pdf`` renders that same HTML with
WeasyPrint.
"""
