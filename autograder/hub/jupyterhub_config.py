"""JupyterHub for a class: `make hub` runs it (README.md, "A class on JupyterHub").

Every setting that changes between rooms is an environment variable (the Makefile passes
its make variables through):

  HUB_IP, HUB_PORT      where the hub listens (default 127.0.0.1:8000: this machine only;
                        HUB_IP=0.0.0.0 exposes it, see the README for TLS in front of it)
  HUB_API_PORT          the hub's own API, always on 127.0.0.1 (default HUB_PORT+2)
  HUB_PROXY_API_PORT    configurable-http-proxy's API, 127.0.0.1 (default HUB_PORT+1)
  HUB_DATA              the hub's folder: database, cookie secret, every user's home
                        (homes/<name>), the course folder (course/) and nbgrader's exchange
                        (exchange/); default build/hub
  HUB_INSTRUCTORS       comma-separated instructor accounts: hub admins with the formgrader
                        (default: instructor)
  HUB_PASSWORD          the workshop's shared password (8+ characters): anyone who knows it
                        signs in under any name that is not an instructor's
  HUB_ADMIN_PASSWORD    the instructors' password (32+ characters); instructors can only
                        sign in with it
  HUB_EDITION           the learners' edition: en (default) or zh, as make hub EDITION=zh
  HUB_EDITIONS          the editions learners choose from, e.g. "en zh" (make hub
                        HUB_EDITIONS="en zh"; default: HUB_EDITION alone). With more than
                        one, a learner picks theirs on the hub's spawn page (the form below)
                        or with {"edition": "zh"} in the REST API's spawn request; English
                        lives in their home, another edition in home/<edition>/, so
                        switching never mixes two languages in one folder
  HUB_PROXY             the configurable-http-proxy command (default: the one make hub
                        installs in build/hub-proxy/)

Spawner: SimpleLocalProcessSpawner. Every user's server is a process of the hub's own OS
user, with HOME set to HUB_DATA/homes/<name>: it needs no system accounts (so it runs as
root in CI), and it does NOT isolate users from one another. Code in one learner's
notebook can read and write every other home, the exchange and the hub's files. That is
fine for a room of people you trust with each other's work; a real deployment gives each
user an OS account (SystemdSpawner, the default LocalProcessSpawner with PAM) or a
container (DockerSpawner, KubeSpawner). Grading stays sandboxed either way: the
instructor's autograde runs every submission in coursetools.sandbox.
"""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent         # the course's .venv: jupyterhub runs from it

DATA = Path(os.environ.get("HUB_DATA") or ROOT / "build" / "hub").resolve()
HOMES = DATA / "homes"
COURSE = DATA / "course"
EXCHANGE = DATA / "exchange"
# The learner's editions make hub builds (HUB_LEARNER_EDITION: another English one, for tests).
# (HUB_LEARNER_EDITION_ZH: a Chinese one, for tests.)
EDITIONS = {"en": Path(os.environ.get("HUB_LEARNER_EDITION") or ROOT / "build" / "learner-edition"),
            "zh": Path(os.environ.get("HUB_LEARNER_EDITION_ZH") or ROOT / "build" / "learner-edition-zh")}
DEFAULT_EDITION = os.environ.get("HUB_EDITION", "en")
OFFERED = [e for e in (os.environ.get("HUB_EDITIONS") or DEFAULT_EDITION).replace(",", " ").split() if e in EDITIONS]
if DEFAULT_EDITION not in OFFERED:
    DEFAULT_EDITION = OFFERED[0] if OFFERED else "en"
#: How each edition is offered on the spawn page.
EDITION_NAMES = {"en": "English", "zh": "中文（简体）"}
INSTRUCTORS = {name.strip() for name in os.environ.get("HUB_INSTRUCTORS", "instructor").split(",") if name.strip()}

for folder in (HOMES, COURSE):
    folder.mkdir(parents=True, exist_ok=True)
EXCHANGE.mkdir(parents=True, exist_ok=True)
# nbgrader's exchange must be writable by every course user (with real accounts: their group).
os.chmod(EXCHANGE, 0o1777)

c = get_config()  # noqa: F821

PORT = int(os.environ.get("HUB_PORT", "8000"))
c.JupyterHub.ip = os.environ.get("HUB_IP", "127.0.0.1")
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = int(os.environ.get("HUB_API_PORT") or PORT + 2)
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{int(os.environ.get('HUB_PROXY_API_PORT') or PORT + 1)}"
c.ConfigurableHTTPProxy.command = [os.environ.get("HUB_PROXY")
                                   or str(ROOT / "build" / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(DATA / "jupyterhub-proxy.pid")
c.JupyterHub.db_url = f"sqlite:///{DATA / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(DATA / "jupyterhub_cookie_secret")

# ---- who signs in ------------------------------------------------------------------------
# A workshop's default: one shared password for learners, another for instructors (README
# says how to use the institution's OAuth or LTI login instead).
c.JupyterHub.authenticator_class = "shared-password"
c.SharedPasswordAuthenticator.user_password = os.environ.get("HUB_PASSWORD") or None
c.SharedPasswordAuthenticator.admin_password = os.environ.get("HUB_ADMIN_PASSWORD") or None
c.Authenticator.admin_users = INSTRUCTORS
c.Authenticator.allow_all = True

# ---- what each user gets -----------------------------------------------------------------
c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
c.SimpleLocalProcessSpawner.home_dir_template = str(HOMES / "{username}")
c.Spawner.cmd = [str(BIN / "jupyterhub-singleuser")]
if os.getuid() == 0:                      # CI machines and containers run as root
    c.Spawner.args = ["--ServerApp.allow_root=True"]
# A room signing in at once keeps the cores busy: at 30 servers spawned together on 2 cores
# (make bench-hub), servers took over a minute to answer, and with a 60 s http_timeout the hub
# gave up on 8 of them. Three minutes covers that; a server that is truly broken still fails.
c.Spawner.http_timeout = 180
c.Spawner.start_timeout = 180
c.Spawner.environment = {
    "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
    "COURSE_HUB_EXCHANGE": str(EXCHANGE),
    "COURSE_HUB_COURSE": str(COURSE),
}


def edition_of(spawner) -> str:
    """The learner's edition: the one their spawn options chose, if this hub offers it,
    else the hub's default."""
    chosen = (spawner.user_options or {}).get("edition")
    return chosen if chosen in OFFERED else DEFAULT_EDITION


def edition_folder(home: Path, edition: str) -> Path:
    """Where an edition lives in a learner's home: English in the home itself (as on a
    one-language hub), another edition in home/<edition>/."""
    return home if edition == "en" else home / edition


def options_form(spawner) -> str:
    """The spawn page's choice of edition, for learners on a hub offering more than one
    (instructors get none: they open the course folder)."""
    if len(OFFERED) < 2 or spawner.user.name in INSTRUCTORS:
        return ""
    choices = "".join(
        f'<label class="radio-inline" style="margin-right:2em"><input type="radio" name="edition" value="{e}"'
        f'{" checked" if e == DEFAULT_EDITION else ""}> {EDITION_NAMES.get(e, e)}</label>' for e in OFFERED)
    return f"<p>Language of the course · 课程语言</p><div>{choices}</div>"


def options_from_form(formdata) -> dict:
    """The form's answer as the spawn options edition_of reads."""
    return {"edition": (formdata.get("edition") or [DEFAULT_EDITION])[0]}


def pre_spawn_hook(spawner):
    """Before a server starts: an instructor gets the course folder and the formgrader; a
    learner gets the learner's edition synced into their home (new lessons added, their
    own work never overwritten) and the learner's lab settings."""
    name = spawner.user.name
    home = HOMES / name
    home.mkdir(parents=True, exist_ok=True)
    if name in INSTRUCTORS:
        spawner.notebook_dir = str(COURSE)
        spawner.default_url = "/lab"
        spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join([str(HERE / "instructor"), str(HERE)])
        return
    edition = edition_of(spawner)
    built = EDITIONS[edition]
    if not (built / "contents.ipynb").is_file():
        raise RuntimeError(f"the learner's edition ({edition}) is not built in {built}: run make hub "
                           f"(it runs make edition first)")
    sys.path.insert(0, str(ROOT / "src"))
    from coursetools.edition import sync
    workspace = edition_folder(home, edition)
    sync(built, workspace)
    spawner.notebook_dir = str(workspace)
    spawner.default_url = "/lab/tree/contents.ipynb"
    learner = [str(HERE), str(ROOT / "autograder" / "learner")]
    if edition != "en":
        learner.insert(1, str(ROOT / "autograder" / f"learner-{edition}"))
    spawner.environment["JUPYTER_CONFIG_PATH"] = os.pathsep.join(learner)


c.Spawner.pre_spawn_hook = pre_spawn_hook
c.Spawner.options_form = options_form
c.Spawner.options_from_form = options_from_form
