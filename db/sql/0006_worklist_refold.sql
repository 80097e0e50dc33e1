-- The worklist report now folds each patient's kept facts with the decider's own evolve, which
-- needs the screening result too (eligibility_screened joined the worklist's fact types). The
-- worklist read model is derived, so it is emptied here and the runner projects it again from the
-- first event.
TRUNCATE worklist_facts, worklist_patients;
UPDATE projection_checkpoints SET position = 0, updated_at = now(), error_position = NULL,
    error_type = NULL, error_message = NULL, error_at = NULL
WHERE projection = 'worklist';
