"""JupyterLab settings for the learner's workspace (make lab points JUPYTER_CONFIG_PATH here).

The course works offline: JupyterLab neither fetches Jupyter news nor checks for updates
over the network, and labconfig/page_config.json (next to this file) turns off the plugin
that would ask learners whether to fetch news.
"""

c = get_config()  # noqa: F821

c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
