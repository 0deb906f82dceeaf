"""The Chinese edition's lab (make lab EDITION=zh): JupyterLab itself in Chinese.

make lab EDITION=zh sets JUPYTER_CONFIG_PATH to this folder, then ../learner/: every setting
of the learner's lab (../learner/jupyter_server_config.py, its labconfig/page_config.json)
applies, and this folder, read first, changes one thing: JupyterLab's default-settings
overrides come from settings/ here, which holds the learner's own overrides
(settings/overrides.d/learner.json is a link to ../learner/settings/overrides.json, so they
are written once) and, in overrides.json, the language: zh_CN, from the pinned
jupyterlab-language-pack-zh-CN. The English lab never reads this folder, so it stays English.

The kernels this lab starts inherit AIOLAB_LANGUAGE=zh, so aiolab's charts speak Chinese
(aiolab.messages), drawn with Noto Sans CJK SC.
"""
import os

c = get_config()  # noqa: F821

c.LabApp.app_settings_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "settings")
os.environ["AIOLAB_LANGUAGE"] = "zh"     # aiolab.messages.VARIABLE, for every kernel of this lab
