"""JupyterLab settings for the learner's workspace (make lab points JUPYTER_CONFIG_PATH here).

The course works offline: JupyterLab neither asks to fetch Jupyter news nor checks for
updates over the network.
"""

c = get_config()  # noqa: F821

c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
