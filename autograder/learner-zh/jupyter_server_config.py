"""The Chinese edition's lab (make lab EDITION=zh): JupyterLab itself in Chinese.

make lab EDITION=zh sets JUPYTER_CONFIG_PATH to this folder, then ../learner/: every setting
of the learner's lab (../learner/jupyter_server_config.py, its labconfig/page_config.json)
applies, and this folder, read first, adds JupyterLab's default-settings overrides from
settings/ here: the language, zh_CN, from the pinned jupyterlab-language-pack-zh-CN. (Should
the learner's lab get overrides of its own, put them in settings/overrides.d/ here too:
JupyterLab reads one settings folder.) The English lab never reads this folder, so it stays
English.

The kernels this lab starts inherit AIOLAB_LANGUAGE=zh, so aiolab's charts speak Chinese
(aiolab.messages), drawn with Noto Sans CJK SC.
"""
import os

c = get_config()  # noqa: F821

c.LabApp.app_settings_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "settings")
os.environ["AIOLAB_LANGUAGE"] = "zh"     # aiolab.messages.VARIABLE, for every kernel of this lab
