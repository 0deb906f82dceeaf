"""An instructor's server on the hub: the course's own nbgrader configuration
(autograder/nbgrader_config.py: sandboxed grading, inert feedback), working in the hub's
course folder (COURSE_HUB_COURSE) with its own gradebook, so the formgrader and the
nbgrader commands of the instructor's terminal share one course."""
import os
from pathlib import Path

c = get_config()  # noqa: F821

AUTOGRADER = Path(__file__).resolve().parent.parent.parent
load_subconfig(str(AUTOGRADER / "nbgrader_config.py"))  # noqa: F821
if os.environ.get("COURSE_HUB_COURSE"):
    course = Path(os.environ["COURSE_HUB_COURSE"])
    c.CourseDirectory.root = str(course)
    c.CourseDirectory.source_directory = str(AUTOGRADER.parent / "notebooks")
    c.CourseDirectory.db_url = f"sqlite:///{course / 'gradebook.db'}"
# An instructor's commands are about every student (collect, autograde, feedback), not
# about themself as the learners' config says.
c.CourseDirectory.student_id = "*"
