"""nbgrader settings for the learner's Validate button (make lab points JupyterLab here).

Validate runs the open notebook top to bottom in the course kernel and reports the tests
that fail. A cell that runs away is stopped after this many seconds instead of hanging.
"""

c = get_config()  # noqa: F821  (nbgrader injects get_config)

c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
