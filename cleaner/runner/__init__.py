"""Running a Pipeline over inputs: planning, parallel work, sinks, resume, accounting."""
