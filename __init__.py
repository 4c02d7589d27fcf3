"""callsim: practise difficult contact-centre calls, graded against a rubric.

The repository's top-level folders are this package's subpackages: `callsim.engine`,
`callsim.grading`, `callsim.sim`, `callsim.tui`, with the bundled scenarios as package data.
"""

__version__ = "0.1.0"
