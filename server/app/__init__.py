"""The application layer: every use case of supplynet, once, for every door.

The CLI (``server/cli``), the gRPC servicers (``server/rpc``) and the demo only parse
their input, call a function here and render its result; they never call each other
or the cores around this layer, so they give the same answers.

How a use case is built (see ``plan.py`` for a complete one):

- a request model (pydantic) with its bounds declared as data, and a
  ``<use>_request(settings, **fields)`` that fills what the caller left unset from
  ``AppSettings`` and raises ``ValidationFailed`` naming every bad field
  (``validation.checked``); the same wording reaches CLI users (exit 2) and gRPC
  clients (INVALID_ARGUMENT with a BadRequest);
- the work itself as a pure function of domain inputs (network, histories, saved plans)
  and the request: picklable, so the server can run it in a worker process
  (``server/rpc/tasks.py``) and the CLI in its own; long work takes a ``Report``
  (``progress.py``) and a ``Deadline`` (``supplynet.graph.deadline``), created once at
  the door from ``--time-limit`` or the gRPC deadline;
- every fan-out through ``supplynet.graph.executor`` (``AppSettings.parallel()`` picks
  local processes or Ray); horizons in days on every door, turned into the data's
  periods in one place (``horizon.py``); trained models in the ``ModelStore``.

To add a use case: a module here, a command module in ``server/cli`` registered in
``COMMAND_MODULES`` (``server/cli/__init__.py``), and a servicer in ``server/rpc``
registered in ``SERVICE_MODULES`` (``server/rpc/app.py``); a job function in
``server/rpc/tasks.py`` when it must not run in the event loop.
"""
