"""Operations: one module per command that does work.

`plan_X(workspace, ...)` reads and makes every refusal; `apply(plan)` changes files inside a
transaction. Operations never import each other: what two of them share lives in `select`
(which packages a command acts on) and `hints` (commands suggested to the user).
"""
