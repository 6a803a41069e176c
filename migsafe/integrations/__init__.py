"""Publishing a finished report to CI services (the GitHub Action's pull-request comment and job summary).

Nothing here reviews anything. The modules use the standard library only, so the action can run them from
its own checkout (``PYTHONPATH=$GITHUB_ACTION_PATH``) whatever version of migsafe the job installed.
"""
