"""JupyterLab settings for the learner's workspace (make lab points JUPYTER_CONFIG_PATH here).

The course works offline: JupyterLab neither fetches Jupyter news nor checks for updates
over the network, and labconfig/page_config.json (next to this file) turns off the plugin
that would ask learners whether to fetch news.

A learner studying alone uses one part of nbgrader: the Validate button. The instructor's
parts (Formgrader, Create Assignment, the Assignment and Course lists, which only report
errors without an nbgrader exchange) are switched off here and in page_config.json; the
instructor's lab (make formgrader) keeps them. And the only kernel offered is the course's.
"""

c = get_config()  # noqa: F821

c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"

c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": False,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}
c.KernelSpecManager.allowed_kernelspecs = {"asyncio-course"}
c.MappingKernelManager.default_kernel_name = "asyncio-course"
