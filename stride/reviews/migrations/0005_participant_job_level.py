# The job level of each person reviewed, snapshot at the launch (cycle analytics).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reviews', '0004_outcomes_calibration_growth'),
    ]

    operations = [
        migrations.AddField(
            model_name='cycleparticipant',
            name='job_level',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='reviews.joblevel'),
        ),
    ]
