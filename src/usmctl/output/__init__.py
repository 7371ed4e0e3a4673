"""What a run is shown as: findings formats, the report and graph exports, rule docs."""
