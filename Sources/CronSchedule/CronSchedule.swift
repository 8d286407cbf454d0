// CronSchedule module
