"""nbgrader's exchange for the course on the hub (every user's server reads this first,
through JUPYTER_CONFIG_PATH, set by jupyterhub_config.py): assignments released by an
instructor, fetched and submitted by learners, feedback returned, all through a folder of
the hub (COURSE_HUB_EXCHANGE, writable by every course user)."""
import os

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "asyncio-course"
if os.environ.get("COURSE_HUB_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_HUB_EXCHANGE"]
