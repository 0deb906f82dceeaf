"""Every user's server on the hub reads this before the learner's settings
(autograder/learner/): on the hub there is an nbgrader exchange, so learners get
nbgrader's Assignments list (fetch a released lesson, submit it, fetch its feedback),
which labconfig/page_config.json here shows in the lab. Everything else is the learner's
lab of make lab: the course kernel only, Validate, no calls to the network."""
c = get_config()  # noqa: F821

# The whole list, as in autograder/learner/: a config file read first replaces this setting
# of the files read after it, it does not add to it.
c.ServerApp.jpserver_extensions = {
    "nbgrader.server_extensions.formgrader": False,
    "nbgrader.server_extensions.assignment_list": True,
    "nbgrader.server_extensions.course_list": False,
    "nbgrader.server_extensions.validate_assignment": True,
}

# A room starting its kernels at once keeps the cores busy: at 30 learners running lesson 02
# together on 2 cores (make bench-hub), one kernel took over 60 s to answer its first
# kernel_info request, so the server gave up on the notebook's connection (the default
# 60 s) and the learner saw a kernel that never connected. Three minutes covers that.
c.MappingKernelManager.kernel_info_timeout = 180
