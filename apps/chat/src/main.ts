console.log('Sealed chat sample: coming up');
