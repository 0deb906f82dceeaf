"""nbgrader's exchange for the course on the hub (every user's server reads this first,
through JUPYTER_CONFIG_PATH, set by jupyterhub_config.py): assignments released by an
instructor, fetched and submitted by learners, feedback returned, all through a folder of
the hub (COURSE_HUB_EXCHANGE, writable by every course user)."""
import os

c = get_config()  # noqa: F821

c.CourseDirectory.course_id = "asyncio-course"
if os.environ.get("COURSE_HUB_EXCHANGE"):
    c.Exchange.root = os.environ["COURSE_HUB_EXCHANGE"]
# Fetched lessons go to ~/asyncio-course/<lesson>/, beside (never over) the learner's
# edition of the same lesson in ~/<lesson>/.
c.Exchange.path_includes_course = True
# Every server runs as the hub's own OS user (SimpleLocalProcessSpawner), so nbgrader's
# default, the OS user name, would be the same for everyone: a learner submits and fetches
# feedback under their hub name instead. (Nothing stops a learner from naming another
# student on the command line: with one OS user there is no isolation, see
# jupyterhub_config.py; with real accounts nbgrader uses the OS name and this goes.)
if os.environ.get("JUPYTERHUB_USER"):
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
