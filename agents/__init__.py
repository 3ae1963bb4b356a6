"""The shared pool of operators: certifications per project, shifts, absences and state events."""
