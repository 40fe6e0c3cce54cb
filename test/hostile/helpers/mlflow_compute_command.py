# MLflow's EntryPoint.compute_command (mlflow/projects/_project_spec.py), its logic rewritten for string parameters:
# values shlex-quoted by _sanitize_param_dict, the template filled with str.format(**params), extra parameters appended.
# Reads one JSON case per line on stdin ({"template", "declared": {name: default|null}, "user": {name: value}}) and
# writes one JSON result per line: {"ok": true, "command": ...} or {"ok": false, "error": ...}.
import json
import sys
from shlex import quote


def compute_command(template, declared, user):
    missing = [name for name in declared if name not in user and declared[name] is None]
    if missing:
        raise ValueError("No value given for missing parameters: " + ", ".join(f"'{n}'" for n in missing))
    final_params = {}
    extra_params = {}
    for key in declared:
        final_params[key] = user[key] if key in user else declared[key]
    for key in user:
        if key not in final_params:
            extra_params[key] = user[key]
    params = {str(k): quote(str(v)) for k, v in final_params.items()}
    extra = {str(k): quote(str(v)) for k, v in extra_params.items()}
    command_arr = [template.format(**params)]
    command_arr.extend([f"--{key} {value}" for key, value in extra.items()])
    return " ".join(command_arr)


for line in sys.stdin:
    case = json.loads(line)
    try:
        out = {"ok": True, "command": compute_command(case["template"], case["declared"], case["user"])}
    except Exception as e:  # every failure MLflow would raise is a refusal here
        out = {"ok": False, "error": f"{type(e).__name__}: {e}"}
    sys.stdout.write(json.dumps(out) + "\n")
