"""The Surveys workspace: the city list, the survey form and its questions, the city dialog."""
